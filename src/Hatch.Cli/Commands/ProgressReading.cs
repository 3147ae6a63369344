using Hatch.Cli.Hosting;
using Hatch.Writing.Importing;

namespace Hatch.Cli.Commands;

/// <summary>Reading an export file as <see cref="HighlightImporters.ImportFile"/> does, with a bar for the bytes read and a spinner while it is parsed.</summary>
internal static class ProgressReading
{
    public static async Task<ImportResult> ImportFileAsync(
        HighlightImporters importers, string path, string format, bool strict, ProgressSteps steps, CancellationToken cancellationToken)
    {
        if (steps.IsSilent) return importers.ImportFile(path, format, strict);
        var name = Path.GetFileName(path);
        string content;
        try
        {
            var reading = steps.Add($"Reading {name}", ProgressUnit.Megabytes, new FileInfo(path).Length);
            await using var file = File.OpenRead(path);
            // UTF-8, or UTF-16 with a byte order mark, like File.ReadAllText.
            using var reader = new StreamReader(new CountingStream(file, reading.Advance), detectEncodingFromByteOrderMarks: true);
            content = await reader.ReadToEndAsync(cancellationToken);
            reading.Complete();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ImportException($"{path}: cannot read the file: {ex.Message}");
        }
        var parsing = steps.Add($"Parsing {name}", new ProgressUnit(""));
        // Parsing is CPU work on this thread's behalf; off it, the bar keeps turning.
        var result = await Task.Run(() => importers.Import(content, name, format, strict), cancellationToken);
        parsing.Complete();
        return result;
    }

    /// <summary>A read-only stream that reports every read's length.</summary>
    private sealed class CountingStream(Stream inner, Action<double> onRead) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            onRead(read);
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            onRead(read);
            return read;
        }
    }
}
