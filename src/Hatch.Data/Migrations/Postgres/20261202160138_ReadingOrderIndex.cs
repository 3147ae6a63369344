using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hatch.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ReadingOrderIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The highlights list's reading order from an index, and stored search vectors (raw SQL: EF Core models neither).
            Hatch.Data.ReadingOrderIndex.ApplyPostgres(migrationBuilder);
            FullTextSearch.ApplyPostgresStoredVector(migrationBuilder);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            FullTextSearch.RevertPostgresStoredVector(migrationBuilder);
            Hatch.Data.ReadingOrderIndex.Revert(migrationBuilder);
        }
    }
}
