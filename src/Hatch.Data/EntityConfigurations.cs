using System.Text.Json;
using Hatch.Domain.Connections;
using Hatch.Domain.Digests;
using Hatch.Domain.Drafts;
using Hatch.Domain.Email;
using Hatch.Domain.Hatching;
using Hatch.Domain.Highlights;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Hatch.Data;

internal sealed class StoredHighlightConfiguration : IEntityTypeConfiguration<StoredHighlight>
{
    public void Configure(EntityTypeBuilder<StoredHighlight> e)
    {
        e.ToTable("highlights");
        e.HasKey(h => h.Id);
        e.Property(h => h.UserId).IsRequired();
        e.HasOne<HatchUser>().WithMany().HasForeignKey(h => h.UserId).OnDelete(DeleteBehavior.Cascade);
        e.Property(h => h.ContentHash).HasMaxLength(64).IsRequired();
        e.HasIndex(h => new { h.UserId, h.ContentHash }).IsUnique();
        e.HasIndex(h => new { h.UserId, h.SourceTitle });
        e.HasIndex(h => new { h.UserId, h.ImportedAt });
        // The embedding job asks for a user's unchecked highlights; the highlights page for their probable duplicates.
        e.HasIndex(h => new { h.UserId, h.DuplicateCheckedAt });
        e.HasIndex(h => new { h.UserId, h.ProbableDuplicateOfId });
        e.Property(h => h.Text).IsRequired();
        e.Property(h => h.SourceTitle).IsRequired();
        e.Property(h => h.Tags).IsRequired();
        e.Ignore(h => h.TagList);
    }
}

internal sealed class StoredSourceNoteConfiguration : IEntityTypeConfiguration<StoredSourceNote>
{
    public void Configure(EntityTypeBuilder<StoredSourceNote> e)
    {
        e.ToTable("source_notes");
        e.HasKey(n => n.Id);
        e.Property(n => n.UserId).IsRequired();
        e.HasOne<HatchUser>().WithMany().HasForeignKey(n => n.UserId).OnDelete(DeleteBehavior.Cascade);
        e.Property(n => n.ContentHash).HasMaxLength(64).IsRequired();
        e.HasIndex(n => new { n.UserId, n.ContentHash }).IsUnique();
        e.HasIndex(n => new { n.UserId, n.SourceTitle });
        e.Property(n => n.Text).IsRequired();
        e.Property(n => n.SourceTitle).IsRequired();
    }
}

internal sealed class HatchRequestConfiguration : IEntityTypeConfiguration<HatchRequest>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Configure(EntityTypeBuilder<HatchRequest> e)
    {
        e.ToTable("hatch_requests");
        e.HasKey(r => r.Id);
        e.Property(r => r.UserId).IsRequired();
        e.HasOne<HatchUser>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
        e.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        e.Property(r => r.Stage).HasConversion<string>().HasMaxLength(16);
        e.Property(r => r.JobId).HasMaxLength(100);
        e.Property(r => r.Selection).HasColumnName("SelectionJson").IsRequired().HasConversion(
            v => JsonSerializer.Serialize(v, Json),
            v => JsonSerializer.Deserialize<HatchSelection>(v, Json) ?? HatchSelection.All,
            new ValueComparer<HatchSelection>((a, b) => JsonSerializer.Serialize(a, Json) == JsonSerializer.Serialize(b, Json),
                v => JsonSerializer.Serialize(v, Json).GetHashCode()));
        e.Property(r => r.Settings).HasColumnName("OptionsJson").IsRequired().HasConversion(
            v => JsonSerializer.Serialize(v, Json),
            v => JsonSerializer.Deserialize<HatchSettings>(v, Json) ?? new HatchSettings("essay", "en", "medium"));
        e.Ignore(r => r.IsFinished);
        e.HasIndex(r => new { r.UserId, r.CreatedAt });
        e.HasIndex(r => new { r.Status, r.UpdatedAt });
    }
}

internal sealed class StoredDraftConfiguration : IEntityTypeConfiguration<Draft>
{
    public void Configure(EntityTypeBuilder<Draft> e)
    {
        e.ToTable("drafts");
        e.HasKey(d => d.Id);
        // The invariant "one draft per request" is the database's to keep, whatever jobs do.
        e.HasIndex(d => d.RequestId).IsUnique();
        e.HasOne<HatchRequest>().WithOne().HasForeignKey<Draft>(d => d.RequestId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<HatchUser>().WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.NoAction);
        e.HasIndex(d => new { d.UserId, d.CreatedAt });
        e.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
        e.Property(d => d.Language).HasMaxLength(35);
        e.Property(d => d.Style).HasMaxLength(16).HasDefaultValue("essay");
        e.Ignore(d => d.Article);
        e.Ignore(d => d.Provenance);
        e.Ignore(d => d.SourceNumbers);
        e.HasMany(d => d.Highlights).WithOne().HasForeignKey(h => h.DraftId).OnDelete(DeleteBehavior.Cascade);
        e.HasMany(d => d.Revisions).WithOne().HasForeignKey(r => r.DraftId).OnDelete(DeleteBehavior.Cascade);
        e.HasMany(d => d.Events).WithOne().HasForeignKey(ev => ev.DraftId).OnDelete(DeleteBehavior.Cascade);

        // The workflow's invariants are the database's to keep too, whatever code writes the row.
        e.Property(d => d.Version).IsConcurrencyToken();
        e.Property(d => d.Revision).HasDefaultValue(1);
        e.Property(d => d.RejectionReason).HasMaxLength(Draft.MaxReasonLength);
        e.Property(d => d.Slug).HasMaxLength(SlugMaxLength);
        e.HasIndex(d => d.Slug).IsUnique();
        e.HasIndex(d => new { d.Status, d.SubmittedAt });
        e.HasIndex(d => new { d.Status, d.PublishedAt });
        e.ToTable(t =>
        {
            t.HasCheckConstraint("CK_drafts_status", "\"Status\" IN ('Draft', 'Submitted', 'Approved', 'Rejected', 'Published')");
            t.HasCheckConstraint("CK_drafts_published_has_slug", "\"Status\" <> 'Published' OR \"Slug\" IS NOT NULL");
            t.HasCheckConstraint("CK_drafts_rejected_has_reason", "\"Status\" <> 'Rejected' OR \"RejectionReason\" IS NOT NULL");
            t.HasCheckConstraint("CK_drafts_revision_positive", "\"Revision\" >= 1");
        });
    }

    public const int SlugMaxLength = 96;
}

internal sealed class DraftRevisionConfiguration : IEntityTypeConfiguration<DraftRevision>
{
    public void Configure(EntityTypeBuilder<DraftRevision> e)
    {
        e.ToTable("draft_revisions", t => t.HasCheckConstraint("CK_draft_revisions_number_positive", "\"Number\" >= 1"));
        // (draft, number) as the key: two saves that both think they make revision n + 1 cannot both land.
        e.HasKey(r => new { r.DraftId, r.Number });
        e.Property(r => r.Number).ValueGeneratedNever();
        e.Property(r => r.UserId).HasMaxLength(450).IsRequired();
        e.Property(r => r.Kind).HasConversion<string>().HasMaxLength(16);
        e.Property(r => r.Note).HasMaxLength(SectionRevisionRequest.MaxInstructionLength);
        e.HasIndex(r => r.ReviseRequestId).IsUnique();
    }
}

internal sealed class DraftEventConfiguration : IEntityTypeConfiguration<DraftEvent>
{
    public void Configure(EntityTypeBuilder<DraftEvent> e)
    {
        e.ToTable("draft_events");
        e.HasKey(ev => ev.Id);
        e.Property(ev => ev.Id).ValueGeneratedNever();
        e.Property(ev => ev.UserId).HasMaxLength(450).IsRequired();
        e.Property(ev => ev.Kind).HasConversion<string>().HasMaxLength(16);
        e.Property(ev => ev.Status).HasConversion<string>().HasMaxLength(16);
        e.HasIndex(ev => new { ev.DraftId, ev.At });
    }
}

internal sealed class DraftCommentConfiguration : IEntityTypeConfiguration<DraftComment>
{
    public void Configure(EntityTypeBuilder<DraftComment> e)
    {
        e.ToTable("draft_comments");
        e.HasKey(c => c.Id);
        e.Property(c => c.Id).ValueGeneratedNever();
        e.HasOne<Draft>().WithMany().HasForeignKey(c => c.DraftId).OnDelete(DeleteBehavior.Cascade);
        e.Property(c => c.UserId).HasMaxLength(450).IsRequired();
        e.Property(c => c.Body).HasMaxLength(DraftComment.MaxLength).IsRequired();
        e.HasIndex(c => new { c.DraftId, c.CreatedAt });
    }
}

internal sealed class SectionRevisionRequestConfiguration : IEntityTypeConfiguration<SectionRevisionRequest>
{
    public void Configure(EntityTypeBuilder<SectionRevisionRequest> e)
    {
        e.ToTable("section_revisions");
        e.HasKey(r => r.Id);
        e.Property(r => r.Id).ValueGeneratedNever();
        e.HasOne<Draft>().WithMany().HasForeignKey(r => r.DraftId).OnDelete(DeleteBehavior.Cascade);
        e.Property(r => r.UserId).HasMaxLength(450).IsRequired();
        e.Property(r => r.Instruction).HasMaxLength(SectionRevisionRequest.MaxInstructionLength).IsRequired();
        e.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        e.Property(r => r.JobId).HasMaxLength(100);
        e.Ignore(r => r.IsFinished);
        e.HasIndex(r => new { r.DraftId, r.CreatedAt });
        e.HasIndex(r => new { r.Status, r.UpdatedAt });
    }
}

internal sealed class DraftHighlightConfiguration : IEntityTypeConfiguration<DraftHighlight>
{
    public void Configure(EntityTypeBuilder<DraftHighlight> e)
    {
        e.ToTable("draft_highlights");
        e.HasKey(h => new { h.DraftId, h.Number });
        e.HasOne(h => h.Highlight).WithMany().HasForeignKey(h => h.HighlightId).OnDelete(DeleteBehavior.Restrict);
        e.HasIndex(h => h.HighlightId);
    }
}

internal sealed class StoredDigestSettingsConfiguration : IEntityTypeConfiguration<StoredDigestSettings>
{
    public void Configure(EntityTypeBuilder<StoredDigestSettings> e)
    {
        e.ToTable("digest_settings");
        e.HasKey(s => s.UserId);
        e.HasOne<HatchUser>().WithOne().HasForeignKey<StoredDigestSettings>(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        e.Property(s => s.SettingsJson).IsRequired();
        e.Ignore(s => s.Settings);
        // The dispatcher's query: WHERE Enabled AND NextRunAt <= now ORDER BY NextRunAt. NextRunAt is null while
        // digests are off, so an index on it alone serves the range scan and the order.
        e.HasIndex(s => s.NextRunAt);
        // The private feed finds its reader by the token's hash; unique, so a hash names at most one reader.
        e.Property(s => s.FeedTokenHash).HasMaxLength(64);
        e.HasIndex(s => s.FeedTokenHash).IsUnique();
    }
}

internal sealed class StoredReviewEmailConfiguration : IEntityTypeConfiguration<StoredReviewEmail>
{
    public void Configure(EntityTypeBuilder<StoredReviewEmail> e)
    {
        e.ToTable("review_emails");
        e.HasKey(m => m.Id);
        // One notice per submission and editor, whatever runs twice: the database keeps it.
        e.HasIndex(m => new { m.DraftId, m.SubmittedAt, m.UserId }).IsUnique();
        e.HasOne<Draft>().WithMany().HasForeignKey(m => m.DraftId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<HatchUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(m => new { m.Status, m.UpdatedAt });
        OutgoingEmailColumns.Configure(e);
    }
}

/// <summary>The columns every <see cref="OutgoingEmail"/> table shares.</summary>
internal static class OutgoingEmailColumns
{
    public static void Configure<T>(EntityTypeBuilder<T> e) where T : OutgoingEmail
    {
        e.Property(m => m.ToAddress).HasMaxLength(320).IsRequired();
        e.Property(m => m.MessageId).HasMaxLength(250);
        e.Property(m => m.Status).HasConversion<string>().HasMaxLength(16);
        e.Property(m => m.Error).HasMaxLength(2000);
        e.Property(m => m.JobId).HasMaxLength(100);
        e.Ignore(m => m.IsSettled);
    }
}

internal sealed class StoredDigestEmailConfiguration : IEntityTypeConfiguration<StoredDigestEmail>
{
    public void Configure(EntityTypeBuilder<StoredDigestEmail> e)
    {
        e.ToTable("digest_emails");
        e.HasKey(m => m.Id);
        // At most one email per digest, whatever job runs twice: the database keeps it.
        e.HasIndex(m => m.DigestId).IsUnique();
        e.HasOne<StoredDigest>().WithOne().HasForeignKey<StoredDigestEmail>(m => m.DigestId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<HatchUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        OutgoingEmailColumns.Configure(e);
    }
}

internal sealed class StoredDigestConfiguration : IEntityTypeConfiguration<StoredDigest>
{
    public void Configure(EntityTypeBuilder<StoredDigest> e)
    {
        e.ToTable("digests");
        e.HasKey(d => d.Id);
        e.HasOne<HatchUser>().WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.Cascade);
        e.Property(d => d.PeriodKey).HasMaxLength(32).IsRequired();
        // "One digest per user and period" is the database's to keep, whatever dispatchers race.
        e.HasIndex(d => new { d.UserId, d.PeriodKey }).IsUnique();
        e.HasIndex(d => new { d.UserId, d.CreatedAt });
        e.HasIndex(d => new { d.Status, d.UpdatedAt });
        e.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
        e.Property(d => d.JobId).HasMaxLength(100);
        e.HasOne<HatchRequest>().WithMany().HasForeignKey(d => d.RequestId).OnDelete(DeleteBehavior.SetNull);
        e.Ignore(d => d.Period);
    }
}

internal sealed class HighlightEmbeddingConfiguration : IEntityTypeConfiguration<HighlightEmbedding>
{
    public void Configure(EntityTypeBuilder<HighlightEmbedding> e)
    {
        e.ToTable("highlight_embeddings");
        // One vector per highlight and model: the key is the unique constraint that makes two racing jobs harmless.
        e.HasKey(x => new { x.HighlightId, x.ModelId });
        e.Property(x => x.ModelId).HasMaxLength(200);
        e.Property(x => x.Vector).IsRequired();
        e.HasOne<StoredHighlight>().WithMany().HasForeignKey(x => x.HighlightId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => x.ModelId);
    }
}

internal sealed class LibraryVersionConfiguration : IEntityTypeConfiguration<LibraryVersion>
{
    public void Configure(EntityTypeBuilder<LibraryVersion> e)
    {
        // Written only by the triggers of the LibraryVersions migration; no foreign key, so a trigger firing while a
        // user is being deleted never fails on the row it upserts.
        e.ToTable("library_versions");
        e.HasKey(v => v.UserId);
    }
}

internal sealed class ConnectionConfiguration : IEntityTypeConfiguration<Connection>
{
    public void Configure(EntityTypeBuilder<Connection> e)
    {
        e.ToTable("connections");
        e.HasKey(c => c.Id);
        e.Property(c => c.UserId).IsRequired();
        e.HasOne<HatchUser>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        e.Property(c => c.Service).HasMaxLength(32).IsRequired();
        e.Property(c => c.Username).HasMaxLength(200);
        e.Property(c => c.Authority).HasMaxLength(200);
        e.Property(c => c.ProtectedToken).IsRequired();
        e.Property(c => c.TokenHint).HasMaxLength(8).IsRequired();
        e.Property(c => c.Status).HasConversion<string>().HasMaxLength(16);
        e.Property(c => c.LeaseOwner).HasMaxLength(100);
        e.HasIndex(c => c.UserId);
        // The dispatcher walks due connections by this index.
        e.HasIndex(c => c.NextSyncAt);
    }
}

internal sealed class SyncedHighlightConfiguration : IEntityTypeConfiguration<SyncedHighlight>
{
    public void Configure(EntityTypeBuilder<SyncedHighlight> e)
    {
        e.ToTable("synced_highlights");
        // One row per upstream item and connection: a re-run page finds its items here and never maps one twice.
        e.HasKey(x => new { x.ConnectionId, x.ExternalId });
        e.Property(x => x.ExternalId).HasMaxLength(100);
        e.HasOne<Connection>().WithMany().HasForeignKey(x => x.ConnectionId).OnDelete(DeleteBehavior.Cascade);
        // Removing the connection forgets the mapping; the highlights stay in the library.
        e.HasOne<StoredHighlight>().WithMany().HasForeignKey(x => x.HighlightId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => x.HighlightId);
    }
}

internal sealed class SyncedNoteConfiguration : IEntityTypeConfiguration<SyncedNote>
{
    public void Configure(EntityTypeBuilder<SyncedNote> e)
    {
        e.ToTable("synced_notes");
        // As synced_highlights: one row per upstream page note and connection.
        e.HasKey(x => new { x.ConnectionId, x.ExternalId });
        e.Property(x => x.ExternalId).HasMaxLength(100);
        e.HasOne<Connection>().WithMany().HasForeignKey(x => x.ConnectionId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<StoredSourceNote>().WithMany().HasForeignKey(x => x.SourceNoteId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => x.SourceNoteId);
    }
}

internal sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKeyRow>
{
    public void Configure(EntityTypeBuilder<DataProtectionKeyRow> e)
    {
        e.ToTable("data_protection_keys");
        e.HasKey(k => k.Id);
        e.Property(k => k.Xml).IsRequired();
    }
}
