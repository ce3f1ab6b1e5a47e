using System.Text;
using Fraud.Core.Import;

namespace Fraud.Core.Tests.Import;

/// <summary>
/// Seeded fuzzing of the file importer: CSV and NDJSON files built from valid rows with malformed
/// ones mixed in (cut, doubled or stray quotes and delimiters, bytes that are not UTF-8, NULs, huge
/// or odd numbers and dates, wrong column counts). Every file is either read, or refused with an
/// <see cref="ImportException"/> that names its line (and with skipping, every bad row is counted
/// and the good ones come through): never another exception, never a hang. The seeds are fixed, so a
/// failure reproduces; the case is in the message.
/// </summary>
public sealed class ImportFuzzTests : IDisposable
{
    private const string Header = "transaction_id,account_id,timestamp,amount,merchant_id,country,is_fraud";

    private static readonly string[] Mutations =
    [
        "cut", "stray-quote", "unclosed-quote", "extra-column", "missing-column", "latin1", "nul", "lone-surrogate",
        "huge-amount", "tiny-amount", "negative", "old-date", "far-date", "garbage-date", "empty-id", "long-id", "bad-id",
        "nan", "exponent", "spaces", "bom-mid", "crlf", "delimiter-swap", "emoji",
    ];

    private readonly string _directory = Directory.CreateTempSubdirectory("fraud-import-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 40)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void A_csv_with_malformed_rows_is_read_or_refused_at_a_line_never_a_crash(int seed)
    {
        var random = new Random(seed);
        var lines = new List<string> { Header };
        var mutated = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            var row = ValidRow(i);
            if (random.Next(6) == 0)
            {
                var mutation = Mutations[random.Next(Mutations.Length)];
                mutated.Add($"line {lines.Count + 1}: {mutation}");
                row = Mutate(row, mutation, random);
            }

            lines.Add(row);
        }

        var bytes = Encode(string.Join(random.Next(4) == 0 ? "\r\n" : "\n", lines) + "\n");
        Check(seed, "csv", bytes, lines.Count, mutated);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void An_ndjson_file_with_malformed_lines_is_read_or_refused_at_a_line_never_a_crash(int seed)
    {
        var random = new Random(seed * 7919);
        var lines = new List<string>();
        var mutated = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            var row = $"{{\"transactionId\":\"t{i}\",\"accountId\":\"a{i % 9}\",\"timestamp\":\"2026-01-01T00:{i % 60:00}:00Z\",\"amount\":{10 + i % 13}.5,\"country\":\"FR\"}}";
            if (random.Next(6) == 0)
            {
                var mutation = Mutations[random.Next(Mutations.Length)];
                mutated.Add($"line {lines.Count + 1}: {mutation}");
                row = Mutate(row, mutation, random);
            }

            lines.Add(row);
        }

        var bytes = Encode(string.Join('\n', lines) + "\n");
        Check(seed, "ndjson", bytes, lines.Count, mutated);
    }

    private void Check(int seed, string extension, byte[] bytes, int lineCount, List<string> mutated)
    {
        var path = Path.Combine(_directory, $"fuzz-{seed}.{extension}");
        File.WriteAllBytes(path, bytes);
        var what = $"seed {seed} ({extension}; {(mutated.Count == 0 ? "no mutation" : string.Join(", ", mutated))})";
        foreach (var skip in new[] { false, true })
        {
            try
            {
                using var reader = TransactionFileReader.Open(path, new ImportOptions { SkipBadRows = skip });
                var read = reader.Read().Count();
                Assert.True(read + reader.BadRowsSkipped <= lineCount, $"{what}: {read} read and {reader.BadRowsSkipped} skipped of {lineCount} lines");
                Assert.All(reader.SampleErrors, e => Assert.InRange(e.Line, 1, lineCount + 1));
            }
            catch (ImportException e)
            {
                Assert.Equal(path, e.File);
                Assert.True(e.Line >= 1 && e.Line <= lineCount + 1, $"{what}: error at line {e.Line} of {lineCount}: {e.Message}");
                Assert.False(string.IsNullOrWhiteSpace(e.Problem), what);
                Assert.True(!skip || e.IsFileError, $"{what}: with skipping, only a damaged file may stop the read, not: {e.Message}");
            }
            catch (Exception e)
            {
                Assert.Fail($"{what}, skip {skip}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
        }
    }

    private static string ValidRow(int i) => $"t{i},a{i % 9},2026-01-01T00:{i % 60:00}:00Z,{10 + i % 13}.5,m{i % 5},FR,{(i % 17 == 0 ? 1 : 0)}";

    private static string Mutate(string row, string mutation, Random random) => mutation switch
    {
        "cut" => row[..random.Next(row.Length)],
        "stray-quote" => row.Insert(random.Next(row.Length), "\""),
        "unclosed-quote" => row.Insert(random.Next(row.Length), "\"x"),
        "extra-column" => row + ",extra",
        "missing-column" => row[..Math.Max(0, row.LastIndexOf(','))],
        "latin1" => row.Insert(random.Next(row.Length), "\u00FF\u00E9"), // re-encoded as Latin-1 by Encode
        "nul" => row.Insert(random.Next(row.Length), "\0"),
        "lone-surrogate" => row.Insert(random.Next(row.Length), "\\ud800"),
        "huge-amount" => row.Replace("5", new string('9', 400), StringComparison.Ordinal),
        "tiny-amount" => row.Replace(".5", "e-28", StringComparison.Ordinal),
        "negative" => row.Replace(".5", ".5", StringComparison.Ordinal).Replace(",1", ",-1", StringComparison.Ordinal),
        "old-date" => row.Replace("2026-01-01", "1900-01-01", StringComparison.Ordinal),
        "far-date" => row.Replace("2026-01-01", "9999-12-31", StringComparison.Ordinal),
        "garbage-date" => row.Replace("2026-01-01T", "2026-13-45X", StringComparison.Ordinal),
        "empty-id" => row.Replace("t", string.Empty, StringComparison.Ordinal),
        "long-id" => row.Replace("\"t", "\"t" + new string('x', 300), StringComparison.Ordinal).Replace("t1", "t1" + new string('y', 300), StringComparison.Ordinal),
        "bad-id" => row.Replace("t", "t/é ", StringComparison.Ordinal),
        "nan" => row.Replace("5", "NaN", StringComparison.Ordinal),
        "exponent" => row.Replace(".5", "e400", StringComparison.Ordinal),
        "spaces" => row.Replace(",", " , ", StringComparison.Ordinal),
        "bom-mid" => "\uFEFF" + row,
        "crlf" => row + "\r",
        "delimiter-swap" => row.Replace(',', ';'),
        "emoji" => row.Insert(random.Next(row.Length), "\U0001F4B3"),
        _ => throw new ArgumentOutOfRangeException(nameof(mutation), mutation, null),
    };

    /// <summary>UTF-8, except that the two Latin-1 marker characters are written as single Latin-1 bytes (not UTF-8).</summary>
    private static byte[] Encode(string text)
    {
        var bytes = new List<byte>(text.Length + 16);
        var buffer = new byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value is 0xFF or 0xE9)
            {
                bytes.Add((byte)rune.Value);
            }
            else
            {
                bytes.AddRange(buffer.AsSpan(0, rune.EncodeToUtf8(buffer)));
            }
        }

        return [.. bytes];
    }
}
