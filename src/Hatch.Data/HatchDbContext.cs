using Hatch.Domain.Connections;
using Hatch.Domain.Digests;
using Hatch.Domain.Drafts;
using Hatch.Domain.Hatching;
using Hatch.Domain.Highlights;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Hatch.Data;

/// <summary>
/// The one model for every provider. Each provider has a subclass only so that its migrations live apart
/// (<see cref="SqliteHatchDbContext"/>, <see cref="PostgresHatchDbContext"/>); code depends on this type.
/// </summary>
public abstract class HatchDbContext(DbContextOptions options) : IdentityDbContext<HatchUser>(options)
{
    public DbSet<StoredHighlight> Highlights => Set<StoredHighlight>();
    public DbSet<StoredSourceNote> SourceNotes => Set<StoredSourceNote>();
    public DbSet<HatchRequest> HatchRequests => Set<HatchRequest>();
    public DbSet<Draft> Drafts => Set<Draft>();
    public DbSet<DraftHighlight> DraftHighlights => Set<DraftHighlight>();
    public DbSet<StoredDigestSettings> DigestSettings => Set<StoredDigestSettings>();
    public DbSet<StoredDigest> Digests => Set<StoredDigest>();
    public DbSet<StoredDigestEmail> DigestEmails => Set<StoredDigestEmail>();
    public DbSet<StoredReviewEmail> ReviewEmails => Set<StoredReviewEmail>();
    public DbSet<HighlightEmbedding> HighlightEmbeddings => Set<HighlightEmbedding>();
    public DbSet<DraftRevision> DraftRevisions => Set<DraftRevision>();
    public DbSet<DraftEvent> DraftEvents => Set<DraftEvent>();
    public DbSet<DraftComment> DraftComments => Set<DraftComment>();
    public DbSet<SectionRevisionRequest> SectionRevisions => Set<SectionRevisionRequest>();
    public DbSet<Connection> Connections => Set<Connection>();
    public DbSet<SyncedHighlight> SyncedHighlights => Set<SyncedHighlight>();
    public DbSet<SyncedNote> SyncedNotes => Set<SyncedNote>();
    public DbSet<DataProtectionKeyRow> DataProtectionKeys => Set<DataProtectionKeyRow>();
    public DbSet<LibraryVersion> LibraryVersions => Set<LibraryVersion>();

    public IQueryable<StoredHighlight> HighlightsOf(string userId) => Highlights.Where(h => h.UserId == userId);
    public IQueryable<StoredSourceNote> SourceNotesOf(string userId) => SourceNotes.Where(n => n.UserId == userId);
    public IQueryable<HatchRequest> RequestsOf(string userId) => HatchRequests.Where(r => r.UserId == userId);
    public IQueryable<Draft> DraftsOf(string userId) => Drafts.Where(d => d.UserId == userId);
    public IQueryable<StoredDigest> DigestsOf(string userId) => Digests.Where(d => d.UserId == userId);
    public IQueryable<Connection> ConnectionsOf(string userId) => Connections.Where(c => c.UserId == userId);

    /// <summary>
    /// How many keys one look-up by a list of keys (ids, content hashes) carries. PostgreSQL receives the list as one
    /// array parameter and hashes it, so ten thousand cost one statement (about 60 ms against a library of 100,000,
    /// where twenty statements of 500 took 0.8 s); SQLite binds every value as a parameter of its own, which costs
    /// by the parameter, so it keeps to 500.
    /// </summary>
    public int KeysPerLookup => Database.IsNpgsql() ? 10_000 : 500;

    /// <summary>
    /// Stores the highlights the user's library does not hold yet (same content hash), each once; used by the web
    /// import and `hatch import --user` alike. Returns the stored rows; the rest were duplicates. The rows are written by
    /// <see cref="BulkInsert"/> (COPY, or one prepared INSERT), in the caller's transaction when there is one.
    /// </summary>
    public async Task<IReadOnlyList<StoredHighlight>> AddNewHighlightsAsync(
        string userId, IReadOnlyList<Highlight> highlights, DateTimeOffset now, CancellationToken cancellationToken, int maxLibrarySize = int.MaxValue)
    {
        if (highlights.Count == 0) return [];
        var unique = highlights.DistinctBy(h => h.ContentHash).ToList();
        var known = new HashSet<string>(StringComparer.Ordinal);
        // Chunked so a large export never builds an IN list the database refuses.
        foreach (var chunk in unique.Select(h => h.ContentHash).Chunk(KeysPerLookup))
            known.UnionWith(await HighlightsOf(userId).Where(h => chunk.Contains(h.ContentHash)).Select(h => h.ContentHash).ToListAsync(cancellationToken));

        var fresh = unique.Where(h => !known.Contains(h.ContentHash)).Select(h => StoredHighlight.From(userId, h, now)).ToList();
        if (maxLibrarySize < int.MaxValue && fresh.Count > 0)
        {
            var stored = await HighlightsOf(userId).CountAsync(cancellationToken);
            if (stored + fresh.Count > maxLibrarySize) throw new LibraryFullException(stored, fresh.Count);
        }
        // Whatever the caller changed before is saved first, as one SaveChanges with the new rows used to.
        if (ChangeTracker.HasChanges()) await SaveChangesAsync(cancellationToken);
        await BulkInsert.InsertAsync(this, fresh, cancellationToken);
        ChangeTracker.Clear();
        if (fresh.Count > 0) await RefreshPlannerStatisticsAsync(cancellationToken);
        return fresh;
    }

    /// <summary>
    /// Tells the database's query planner how the tables have grown, after an import and at start. Only SQLite needs
    /// telling (PostgreSQL's autovacuum analyses tables itself).
    /// </summary>
    public virtual Task RefreshPlannerStatisticsAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>
    /// Keeps the notes that annotate no highlight on their books, each once per user (same text, source and place);
    /// returns how many were new.
    /// </summary>
    public async Task<int> AddNewSourceNotesAsync(
        string userId, IReadOnlyList<SourceNote> notes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (notes.Count == 0) return 0;
        var unique = notes.Select(n => StoredSourceNote.From(userId, n, now)).DistinctBy(n => n.ContentHash).ToList();
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in unique.Select(n => n.ContentHash).Chunk(KeysPerLookup))
            known.UnionWith(await SourceNotesOf(userId).Where(n => chunk.Contains(n.ContentHash)).Select(n => n.ContentHash).ToListAsync(cancellationToken));

        var fresh = unique.Where(n => !known.Contains(n.ContentHash)).ToList();
        SourceNotes.AddRange(fresh);
        await SaveChangesAsync(cancellationToken);
        ChangeTracker.Clear();
        return fresh.Count;
    }

    /// <summary>
    /// A user's whole library as a zip of Obsidian-ready Markdown (<see cref="Hatch.Writing.Rendering.ObsidianExport"/>),
    /// for <c>GET /api/export/library.zip</c> and <c>hatch export</c> alike.
    /// </summary>
    public async Task WriteLibraryZipAsync(string userId, Stream output, CancellationToken cancellationToken, Action<int, int>? onFileWritten = null)
    {
        var highlights = await HighlightsOf(userId).AsNoTracking().ToListAsync(cancellationToken);
        var notes = await SourceNotesOf(userId).AsNoTracking().ToListAsync(cancellationToken);
        Hatch.Writing.Rendering.ObsidianExport.WriteZip(output, Hatch.Writing.Rendering.ObsidianExport.Files(highlights, notes), onFileWritten);
    }

    /// <summary>A user's draft with its numbered highlights, ready for <see cref="Draft.ToDocument"/>.</summary>
    public Task<Draft?> FindDraftAsync(string userId, Guid draftId, CancellationToken cancellationToken) =>
        DraftsOf(userId).AsNoTracking()
            .Include(d => d.Highlights).ThenInclude(h => h.Highlight)
            .AsSplitQuery()
            .FirstOrDefaultAsync(d => d.Id == draftId, cancellationToken);

    /// <summary>Any draft with its numbered highlights, tracked, for the review workflow (which checks who may see it).</summary>
    public Task<Draft?> LoadDraftAsync(Guid draftId, CancellationToken cancellationToken) =>
        Drafts.Include(d => d.Highlights).ThenInclude(h => h.Highlight)
            .AsSplitQuery()
            .FirstOrDefaultAsync(d => d.Id == draftId, cancellationToken);

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<HatchUser>().ToTable("users");
        builder.Entity<IdentityRole>().ToTable("roles");
        builder.Entity<IdentityUserRole<string>>().ToTable("user_roles");
        builder.Entity<IdentityUserClaim<string>>().ToTable("user_claims");
        builder.Entity<IdentityUserLogin<string>>().ToTable("user_logins");
        builder.Entity<IdentityUserToken<string>>().ToTable("user_tokens");
        builder.Entity<IdentityRoleClaim<string>>().ToTable("role_claims");
        builder.ApplyConfigurationsFromAssembly(typeof(HatchDbContext).Assembly);
    }
}

/// <summary>The embedded default: a SQLite file.</summary>
public sealed class SqliteHatchDbContext(DbContextOptions<SqliteHatchDbContext> options) : HatchDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configuration)
    {
        base.ConfigureConventions(configuration);
        // SQLite has no instant type; as binary numbers DateTimeOffsets compare and sort in SQL.
        configuration.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        configuration.Properties<DateTimeOffset?>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        // "These few ids of this user" (a related call's candidates, a search's results, an import's findings) by
        // the pair. SQLite's statistics keep only the average rows per user, so with the user's index alone it walks
        // a 100,000-highlight library for 30 ids (63 ms against 3 ms); PostgreSQL knows the skew and uses the key.
        builder.Entity<StoredHighlight>().HasIndex(h => new { h.UserId, h.Id });
    }

    /// <summary>
    /// SQLite keeps no statistics until asked, and plans every query by guesses until then (on a single reader's
    /// library it once read "these few ids of this user" by walking the user's index; the (UserId, Id) index above
    /// now covers that case with or without statistics). <c>optimize=0x10002</c>
    /// is what SQLite recommends for long-lived connections: it checks every table and re-analyses only those whose size
    /// has changed tenfold, under a time limit. A connection loads the statistics with the schema, so the pooled
    /// connections opened before would keep planning without them: when anything was analysed, the pool is cleared.
    /// </summary>
    public override async Task RefreshPlannerStatisticsAsync(CancellationToken cancellationToken = default)
    {
        var connection = (SqliteConnection)Database.GetDbConnection();
        await Database.OpenConnectionAsync(cancellationToken);
        try
        {
            // With the debug bit (0x1) the same check lists what it would analyse and runs nothing.
            if (!await AnyRowAsync(connection, "PRAGMA optimize=0x10003", cancellationToken)) return;
            await AnyRowAsync(connection, "PRAGMA optimize=0x10002", cancellationToken);
            SqliteConnection.ClearPool(connection);
        }
        finally
        {
            await Database.CloseConnectionAsync();
        }
    }

    private async Task<bool> AnyRowAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = (SqliteTransaction?)Database.CurrentTransaction?.GetDbTransaction();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken);
    }
}

/// <summary>PostgreSQL through Npgsql, for real deployments and several processes.</summary>
public sealed class PostgresHatchDbContext(DbContextOptions<PostgresHatchDbContext> options) : HatchDbContext(options);

/// <summary>An import would take a library over its quota; nothing was stored.</summary>
public sealed class LibraryFullException(int stored, int adding)
    : InvalidOperationException($"The library holds {stored} highlights; adding {adding} would pass its quota.")
{
    public int Stored { get; } = stored;
    public int Adding { get; } = adding;
}
