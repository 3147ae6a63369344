using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hatch.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class NearDuplicateChecks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "DuplicateCheckedAt",
                table: "highlights",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "ProbableDuplicateCosine",
                table: "highlights",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ProbableDuplicateOfId",
                table: "highlights",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_highlights_UserId_DuplicateCheckedAt",
                table: "highlights",
                columns: new[] { "UserId", "DuplicateCheckedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_highlights_UserId_ProbableDuplicateOfId",
                table: "highlights",
                columns: new[] { "UserId", "ProbableDuplicateOfId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_highlights_UserId_DuplicateCheckedAt",
                table: "highlights");

            migrationBuilder.DropIndex(
                name: "IX_highlights_UserId_ProbableDuplicateOfId",
                table: "highlights");

            migrationBuilder.DropColumn(
                name: "DuplicateCheckedAt",
                table: "highlights");

            migrationBuilder.DropColumn(
                name: "ProbableDuplicateCosine",
                table: "highlights");

            migrationBuilder.DropColumn(
                name: "ProbableDuplicateOfId",
                table: "highlights");
        }
    }
}
