using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hatch.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class LibraryVersions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "library_versions",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "TEXT", nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false),
                    Removals = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_library_versions", x => x.UserId);
                });

            // SQLite has row-level triggers only. See LibraryVersion for why this lives in the database.
            migrationBuilder.Sql("""
                CREATE TRIGGER hatch_library_version_embedding_insert AFTER INSERT ON highlight_embeddings BEGIN
                    INSERT INTO library_versions ("UserId", "Version", "Removals")
                    SELECT "UserId", 1, 0 FROM highlights WHERE "Id" = NEW."HighlightId"
                    ON CONFLICT ("UserId") DO UPDATE SET "Version" = "Version" + 1;
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER hatch_library_version_embedding_update AFTER UPDATE ON highlight_embeddings BEGIN
                    INSERT INTO library_versions ("UserId", "Version", "Removals")
                    SELECT "UserId", 1, 1 FROM highlights WHERE "Id" = OLD."HighlightId"
                    ON CONFLICT ("UserId") DO UPDATE SET "Version" = "Version" + 1, "Removals" = "Removals" + 1;
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER hatch_library_version_embedding_delete AFTER DELETE ON highlight_embeddings BEGIN
                    INSERT INTO library_versions ("UserId", "Version", "Removals")
                    SELECT "UserId", 1, 1 FROM highlights WHERE "Id" = OLD."HighlightId"
                    ON CONFLICT ("UserId") DO UPDATE SET "Version" = "Version" + 1, "Removals" = "Removals" + 1;
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER hatch_library_version_highlight_delete AFTER DELETE ON highlights BEGIN
                    INSERT INTO library_versions ("UserId", "Version", "Removals") VALUES (OLD."UserId", 1, 1)
                    ON CONFLICT ("UserId") DO UPDATE SET "Version" = "Version" + 1, "Removals" = "Removals" + 1;
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER hatch_library_version_embedding_insert;");
            migrationBuilder.Sql("DROP TRIGGER hatch_library_version_embedding_update;");
            migrationBuilder.Sql("DROP TRIGGER hatch_library_version_embedding_delete;");
            migrationBuilder.Sql("DROP TRIGGER hatch_library_version_highlight_delete;");
            migrationBuilder.DropTable(
                name: "library_versions");
        }
    }
}
