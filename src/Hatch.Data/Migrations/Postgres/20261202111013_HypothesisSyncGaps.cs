using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hatch.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class HypothesisSyncGaps : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Authority",
                table: "connections",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ReconciledAt",
                table: "connections",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "synced_notes",
                columns: table => new
                {
                    ConnectionId = table.Column<Guid>(type: "uuid", nullable: false),
                    ExternalId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    SourceNoteId = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_synced_notes", x => new { x.ConnectionId, x.ExternalId });
                    table.ForeignKey(
                        name: "FK_synced_notes_connections_ConnectionId",
                        column: x => x.ConnectionId,
                        principalTable: "connections",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_synced_notes_source_notes_SourceNoteId",
                        column: x => x.SourceNoteId,
                        principalTable: "source_notes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_synced_notes_SourceNoteId",
                table: "synced_notes",
                column: "SourceNoteId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "synced_notes");

            migrationBuilder.DropColumn(
                name: "Authority",
                table: "connections");

            migrationBuilder.DropColumn(
                name: "ReconciledAt",
                table: "connections");
        }
    }
}
