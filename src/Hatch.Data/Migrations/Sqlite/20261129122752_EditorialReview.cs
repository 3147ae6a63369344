using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hatch.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EditorialReview : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "DisplayName",
                table: "users",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ApprovedAt",
                table: "drafts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ApprovedBy",
                table: "drafts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "PublishedAt",
                table: "drafts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RejectionReason",
                table: "drafts",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Revision",
                table: "drafts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<string>(
                name: "Slug",
                table: "drafts",
                type: "TEXT",
                maxLength: 96,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Style",
                table: "drafts",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "essay");

            migrationBuilder.AddColumn<long>(
                name: "SubmittedAt",
                table: "drafts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "UpdatedAt",
                table: "drafts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<int>(
                name: "Version",
                table: "drafts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "draft_comments",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    DraftId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    Body = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    SectionIndex = table.Column<int>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_draft_comments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_draft_comments_drafts_DraftId",
                        column: x => x.DraftId,
                        principalTable: "drafts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "draft_events",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    DraftId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Revision = table.Column<int>(type: "INTEGER", nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Detail = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_draft_events", x => x.Id);
                    table.ForeignKey(
                        name: "FK_draft_events_drafts_DraftId",
                        column: x => x.DraftId,
                        principalTable: "drafts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "draft_revisions",
                columns: table => new
                {
                    DraftId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Title = table.Column<string>(type: "TEXT", nullable: false),
                    ArticleJson = table.Column<string>(type: "TEXT", nullable: false),
                    Markdown = table.Column<string>(type: "TEXT", nullable: false),
                    ProvenanceJson = table.Column<string>(type: "TEXT", nullable: true),
                    RestoredFrom = table.Column<int>(type: "INTEGER", nullable: true),
                    ReviseRequestId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Note = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_draft_revisions", x => new { x.DraftId, x.Number });
                    table.CheckConstraint("CK_draft_revisions_number_positive", "\"Number\" >= 1");
                    table.ForeignKey(
                        name: "FK_draft_revisions_drafts_DraftId",
                        column: x => x.DraftId,
                        principalTable: "drafts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "section_revisions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    DraftId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SectionIndex = table.Column<int>(type: "INTEGER", nullable: false),
                    Instruction = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    BaseRevision = table.Column<int>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    Error = table.Column<string>(type: "TEXT", nullable: true),
                    ResultRevision = table.Column<int>(type: "INTEGER", nullable: true),
                    JobId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_section_revisions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_section_revisions_drafts_DraftId",
                        column: x => x.DraftId,
                        principalTable: "drafts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_drafts_Slug",
                table: "drafts",
                column: "Slug",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_drafts_Status_PublishedAt",
                table: "drafts",
                columns: new[] { "Status", "PublishedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_drafts_Status_SubmittedAt",
                table: "drafts",
                columns: new[] { "Status", "SubmittedAt" });

            // Drafts from before the review workflow: their article becomes revision 1, written by their author.
            // Before the check constraints: on SQLite each one rebuilds the drafts table, and SQL run while a rebuild
            // is pending is what EF warns may find the database in an unexpected state.
            migrationBuilder.Sql("UPDATE drafts SET \"UpdatedAt\" = \"CreatedAt\";");
            migrationBuilder.Sql(
                "INSERT INTO draft_revisions (\"DraftId\", \"Number\", \"UserId\", \"CreatedAt\", \"Kind\", \"Title\", \"ArticleJson\", \"Markdown\", \"ProvenanceJson\") " +
                "SELECT \"Id\", 1, \"UserId\", \"CreatedAt\", 'Created', \"Title\", \"ArticleJson\", \"Markdown\", \"ProvenanceJson\" FROM drafts;");

            migrationBuilder.AddCheckConstraint(
                name: "CK_drafts_published_has_slug",
                table: "drafts",
                sql: "\"Status\" <> 'Published' OR \"Slug\" IS NOT NULL");

            migrationBuilder.AddCheckConstraint(
                name: "CK_drafts_rejected_has_reason",
                table: "drafts",
                sql: "\"Status\" <> 'Rejected' OR \"RejectionReason\" IS NOT NULL");

            migrationBuilder.AddCheckConstraint(
                name: "CK_drafts_revision_positive",
                table: "drafts",
                sql: "\"Revision\" >= 1");

            migrationBuilder.AddCheckConstraint(
                name: "CK_drafts_status",
                table: "drafts",
                sql: "\"Status\" IN ('Draft', 'Submitted', 'Approved', 'Rejected', 'Published')");

            migrationBuilder.CreateIndex(
                name: "IX_draft_comments_DraftId_CreatedAt",
                table: "draft_comments",
                columns: new[] { "DraftId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_draft_events_DraftId_At",
                table: "draft_events",
                columns: new[] { "DraftId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_draft_revisions_ReviseRequestId",
                table: "draft_revisions",
                column: "ReviseRequestId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_section_revisions_DraftId_CreatedAt",
                table: "section_revisions",
                columns: new[] { "DraftId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_section_revisions_Status_UpdatedAt",
                table: "section_revisions",
                columns: new[] { "Status", "UpdatedAt" });

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "draft_comments");

            migrationBuilder.DropTable(
                name: "draft_events");

            migrationBuilder.DropTable(
                name: "draft_revisions");

            migrationBuilder.DropTable(
                name: "section_revisions");

            migrationBuilder.DropIndex(
                name: "IX_drafts_Slug",
                table: "drafts");

            migrationBuilder.DropIndex(
                name: "IX_drafts_Status_PublishedAt",
                table: "drafts");

            migrationBuilder.DropIndex(
                name: "IX_drafts_Status_SubmittedAt",
                table: "drafts");

            migrationBuilder.DropCheckConstraint(
                name: "CK_drafts_published_has_slug",
                table: "drafts");

            migrationBuilder.DropCheckConstraint(
                name: "CK_drafts_rejected_has_reason",
                table: "drafts");

            migrationBuilder.DropCheckConstraint(
                name: "CK_drafts_revision_positive",
                table: "drafts");

            migrationBuilder.DropCheckConstraint(
                name: "CK_drafts_status",
                table: "drafts");

            migrationBuilder.DropColumn(
                name: "DisplayName",
                table: "users");

            migrationBuilder.DropColumn(
                name: "ApprovedAt",
                table: "drafts");

            migrationBuilder.DropColumn(
                name: "ApprovedBy",
                table: "drafts");

            migrationBuilder.DropColumn(
                name: "PublishedAt",
                table: "drafts");

            migrationBuilder.DropColumn(
                name: "RejectionReason",
                table: "drafts");

            migrationBuilder.DropColumn(
                name: "Revision",
                table: "drafts");

            migrationBuilder.DropColumn(
                name: "Slug",
                table: "drafts");

            migrationBuilder.DropColumn(
                name: "Style",
                table: "drafts");

            migrationBuilder.DropColumn(
                name: "SubmittedAt",
                table: "drafts");

            migrationBuilder.DropColumn(
                name: "UpdatedAt",
                table: "drafts");

            migrationBuilder.DropColumn(
                name: "Version",
                table: "drafts");
        }
    }
}
