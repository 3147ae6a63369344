using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hatch.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ReadingOrderIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The highlights list's reading order from an index (raw SQL: EF Core models no expression index).
            Hatch.Data.ReadingOrderIndex.ApplySqlite(migrationBuilder);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            Hatch.Data.ReadingOrderIndex.Revert(migrationBuilder);
        }
    }
}
