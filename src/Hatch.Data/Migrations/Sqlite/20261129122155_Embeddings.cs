using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hatch.Data.Migrations.Sqlite
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
                    HighlightId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ModelId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Dimensions = table.Column<int>(type: "INTEGER", nullable: false),
                    Vector = table.Column<byte[]>(type: "BLOB", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
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
            FullTextSearch.ApplySqlite(migrationBuilder);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            FullTextSearch.RevertSqlite(migrationBuilder);

            migrationBuilder.DropTable(
                name: "highlight_embeddings");
        }
    }
}
