using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hatch.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Embeddings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "highlight_embeddings",
                columns: table => new
                {
                    HighlightId = table.Column<Guid>(type: "uuid", nullable: false),
                    ModelId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Dimensions = table.Column<int>(type: "integer", nullable: false),
                    Vector = table.Column<byte[]>(type: "bytea", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_highlight_embeddings", x => new { x.HighlightId, x.ModelId });
                    table.ForeignKey(
                        name: "FK_highlight_embeddings_highlights_HighlightId",
                        column: x => x.HighlightId,
                        principalTable: "highlights",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_highlight_embeddings_ModelId",
                table: "highlight_embeddings",
                column: "ModelId");

            // Keyword search is raw SQL EF does not model; re-apply this line when regenerating the migration.
            FullTextSearch.ApplyPostgres(migrationBuilder);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            FullTextSearch.RevertPostgres(migrationBuilder);

            migrationBuilder.DropTable(
                name: "highlight_embeddings");
        }
    }
}
