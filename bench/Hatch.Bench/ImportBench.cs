using System.Diagnostics;
using System.Globalization;
using System.Text;
using Hatch.Cli;

namespace Hatch.Bench;

/// <summary>
/// `hatch import FILE --dry-run --output json` on a generated My Clippings.txt of n clippings (100,000 by default):
/// in process through <see cref="CliApp"/> (the first run cold, then the median of five), and once as a real process,
/// which is what a reader waits for. The file mixes the languages and firmware generations the importer reads, with
/// notes, bookmarks, re-highlights and clipping-limit messages in the proportions real files show.
/// </summary>
internal static class ImportBench
{
    private static readonly string[] Headers =
    [
        "- Your Highlight on page {p} | Location {s}-{e} | Added on Sunday, 3 March 2024 14:05:01",
        "- Highlight Loc. {s}-{e2} | Added on Thursday, November 12, 2009, 08:40 AM",
        "- Ihre Markierung auf Seite {p} | bei Position {s}-{e} | Hinzugefügt am Dienstag, 9. Dezember 2014 07:12:45",
        "- Votre surlignement sur la page {p} | emplacement {s}-{e} | Ajouté le mercredi 9 juillet 2025 21:14:03",
        "- La subrayado en la página {p} | posición {s}-{e} | Añadido el lunes, 5 de septiembre de 2022 11:48:56",
        "- Seu destaque na página {p} | posição {s}-{e} | Adicionado: sábado, 21 de outubro de 2023 09:03:17",
        "– Ваш выделенный отрывок в месте {s}–{e} | Добавлено: среда, 25 марта 2015 г. в 07:19:33",
        "- 位置No. {s}-{e}のハイライト |作成日: 2021年9月14日火曜日 06:55:12",
        "- 您在第 {p} 页（位置 #{s}-{e}）的标注 | 添加于 2013年11月22日星期五 上午6:12:40",
    ];

    private static readonly string[] Words =
        "river stone harbour tide ledger lantern salt chart compass anchor current shore keeper storm patience habit notebook signal".Split(' ');

    public static async Task<int> RunAsync(string[] args)
    {
        var n = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var path = Path.Combine(Path.GetTempPath(), $"hatch-bench-clippings-{n}.txt");
        var bytes = Write(path, n, seed: 42);
        // The default Hatch:Limits:MaxHighlightsPerImport (10,000) protects the web app; a local file this size needs more.
        Environment.SetEnvironmentVariable("Hatch__Limits__MaxHighlightsPerImport", "1000000");
        Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} cores; {n:N0} clippings, {bytes / (1024.0 * 1024):F1} MB");

        // CPU time beside wall time: on a shared 2-core machine the wall clock mostly measures the neighbours.
        var times = new List<(double Wall, double Cpu)>();
        string report = "";
        var self = Process.GetCurrentProcess();
        for (var run = 0; run < 6; run++)
        {
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            self.Refresh();
            var cpuBefore = self.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var exit = await CliApp.RunAsync(["import", path, "--dry-run", "--output", "json"], stdout, stderr);
            var elapsed = clock.Elapsed.TotalMilliseconds;
            self.Refresh();
            var cpu = (self.TotalProcessorTime - cpuBefore).TotalMilliseconds;
            if (exit != 0) throw new InvalidOperationException($"hatch import exited {exit}: {stderr}");
            report = stdout.ToString().Trim();
            if (run == 0) Console.WriteLine($"in process, cold:        wall {elapsed,6:F0} ms, CPU {cpu,6:F0} ms");
            else times.Add((elapsed, cpu));
        }
        var median = times.OrderBy(t => t.Wall).ElementAt(2);
        Console.WriteLine($"in process, median of 5: wall {median.Wall,6:F0} ms, CPU {median.Cpu,6:F0} ms");

        var dll = Path.Combine(AppContext.BaseDirectory, "hatch.dll");
        var start = new ProcessStartInfo("dotnet", [dll, "import", path, "--dry-run", "--output", "json"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["Hatch__Limits__MaxHighlightsPerImport"] = "1000000";
        var wall = Stopwatch.StartNew();
        using (var process = Process.Start(start)!)
        {
            await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
        }
        Console.WriteLine($"as a process (dotnet hatch.dll import --dry-run): wall {wall.Elapsed.TotalMilliseconds:F0} ms; load average {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a")}");
        Console.WriteLine(report.Length > 300 ? report[..300] + "…" : report);
        if (Environment.GetEnvironmentVariable("HATCH_BENCH_KEEP") is null) File.Delete(path);
        return 0;
    }

    /// <summary>n clippings: about 80% highlights (a tenth re-highlighted, a fiftieth cut at the clipping limit), 12% notes, 8% bookmarks.</summary>
    private static long Write(string path, int n, int seed)
    {
        var random = new Random(seed);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        writer.NewLine = "\r\n";
        for (var i = 0; i < n; i++)
        {
            var book = random.Next(500);
            var start = random.Next(1, 20_000);
            var end = start + random.Next(0, 6);
            var roll = random.Next(100);
            var header = Headers[book % Headers.Length]
                .Replace("{p}", (start / 15 + 1).ToString(CultureInfo.InvariantCulture))
                .Replace("{s}", start.ToString(CultureInfo.InvariantCulture))
                .Replace("{e2}", (end % 100).ToString("00", CultureInfo.InvariantCulture))
                .Replace("{e}", end.ToString(CultureInfo.InvariantCulture));
            string text;
            if (roll < 8)
            {
                header = header.Replace("Highlight", "Bookmark").Replace("Markierung", "Lesezeichen").Replace("surlignement", "signet")
                    .Replace("subrayado", "marcador").Replace("destaque", "marcador").Replace("выделенный отрывок", "закладка")
                    .Replace("ハイライト", "ブックマーク").Replace("标注", "书签");
                text = "";
            }
            else if (roll < 20)
            {
                header = header.Replace("Highlight", "Note").Replace("Markierung", "Notiz").Replace("surlignement", "note")
                    .Replace("subrayado", "nota").Replace("destaque", "nota").Replace("выделенный отрывок", "заметка")
                    .Replace("ハイライト", "メモ").Replace("标注", "笔记");
                text = "Remember " + Words[random.Next(Words.Length)] + ".";
            }
            else
            {
                var sentence = new StringBuilder($"Passage {i}:");
                for (var w = random.Next(12, 40); w > 0; w--) sentence.Append(' ').Append(Words[random.Next(Words.Length)]);
                text = sentence.Append('.').ToString();
                if (roll < 22) text += " <You have reached the clipping limit for this item>";
            }
            writer.WriteLine($"\uFEFFBook {book} of the Sea (Writer {book % 37})");
            writer.WriteLine(header);
            writer.WriteLine();
            writer.WriteLine(text);
            writer.WriteLine("==========");
        }
        writer.Flush();
        return writer.BaseStream.Length;
    }
}
