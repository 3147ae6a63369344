using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hatch.Data.Migrations.Postgres
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
                    UserId = table.Column<string>(type: "text", nullable: false),
                    Version = table.Column<long>(type: "bigint", nullable: false),
                    Removals = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_library_versions", x => x.UserId);
                });

            // Statement-level triggers with transition tables: an import of thousands of vectors bumps each user once
            // per statement rather than once per row. See LibraryVersion for why this lives in the database.
            migrationBuilder.Sql("""
                CREATE FUNCTION hatch_bump_library_version() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_TABLE_NAME = 'highlights' THEN
                        INSERT INTO library_versions ("UserId", "Version", "Removals")
                        SELECT DISTINCT o."UserId", 1, 1 FROM old_rows o
                        ON CONFLICT ("UserId") DO UPDATE
                        SET "Version" = library_versions."Version" + 1, "Removals" = library_versions."Removals" + 1;
                    ELSIF TG_OP = 'INSERT' THEN
                        INSERT INTO library_versions ("UserId", "Version", "Removals")
                        SELECT DISTINCT h."UserId", 1, 0 FROM new_rows n JOIN highlights h ON h."Id" = n."HighlightId"
                        ON CONFLICT ("UserId") DO UPDATE SET "Version" = library_versions."Version" + 1;
                    ELSE
                        INSERT INTO library_versions ("UserId", "Version", "Removals")
                        SELECT DISTINCT h."UserId", 1, 1 FROM old_rows o JOIN highlights h ON h."Id" = o."HighlightId"
                        ON CONFLICT ("UserId") DO UPDATE
                        SET "Version" = library_versions."Version" + 1, "Removals" = library_versions."Removals" + 1;
                    END IF;
                    RETURN NULL;
                END $$;

                CREATE TRIGGER hatch_library_version_embedding_insert AFTER INSERT ON highlight_embeddings
                    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hatch_bump_library_version();
                CREATE TRIGGER hatch_library_version_embedding_update AFTER UPDATE ON highlight_embeddings
                    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION hatch_bump_library_version();
                CREATE TRIGGER hatch_library_version_embedding_delete AFTER DELETE ON highlight_embeddings
                    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION hatch_bump_library_version();
                CREATE TRIGGER hatch_library_version_highlight_delete AFTER DELETE ON highlights
                    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION hatch_bump_library_version();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER hatch_library_version_embedding_insert ON highlight_embeddings;
                DROP TRIGGER hatch_library_version_embedding_update ON highlight_embeddings;
                DROP TRIGGER hatch_library_version_embedding_delete ON highlight_embeddings;
                DROP TRIGGER hatch_library_version_highlight_delete ON highlights;
                DROP FUNCTION hatch_bump_library_version();
                """);
            migrationBuilder.DropTable(
                name: "library_versions");
        }
    }
}
