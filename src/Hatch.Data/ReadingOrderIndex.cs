using System.Globalization;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Hatch.Data;

/// <summary>
/// The index behind the highlights list's reading order (<see cref="HighlightQueries.InReadingOrder"/>): per user,
/// by source, position and date with their "none" stand-ins, then id. EF Core models no expression index, so the
/// SQL lives here and the <c>ReadingOrderIndex</c> migrations call it; the expressions must stay exactly those the
/// query generates, or the database sorts the whole library for every page again.
/// </summary>
public static class ReadingOrderIndex
{
    public const string Name = "IX_highlights_reading_order";

    public static void ApplyPostgres(MigrationBuilder migration) => migration.Sql($"""
        CREATE INDEX "{Name}" ON highlights ("UserId", "SourceTitle", COALESCE("Offset", {ReadingCursor.NoOffset}),
            COALESCE("HighlightedAt", TIMESTAMPTZ '{ReadingCursor.NoDate.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", CultureInfo.InvariantCulture)}'), "Id");
        """);

    /// <summary>SQLite stores a DateTimeOffset as the binary number <see cref="SqliteHatchDbContext"/>'s converter makes.</summary>
    public static void ApplySqlite(MigrationBuilder migration) => migration.Sql($"""
        CREATE INDEX "{Name}" ON highlights ("UserId", "SourceTitle", COALESCE("Offset", {ReadingCursor.NoOffset}),
            COALESCE("HighlightedAt", {Convert.ToString(new DateTimeOffsetToBinaryConverter().ConvertToProvider(ReadingCursor.NoDate), CultureInfo.InvariantCulture)}), "Id");
        """);

    public static void Revert(MigrationBuilder migration) => migration.Sql($"""DROP INDEX IF EXISTS "{Name}";""");
}
