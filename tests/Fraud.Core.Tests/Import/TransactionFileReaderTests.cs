using System.IO.Compression;
using System.Text;
using Fraud.Core.Import;

namespace Fraud.Core.Tests.Import;

/// <summary>
/// A damaged or mis-encoded file is refused where it goes wrong, with file, line and column; a bad row
/// may be skipped with <see cref="ImportOptions.SkipBadRows"/>, a damaged file never.
/// </summary>
public sealed class TransactionFileReaderTests : IDisposable
{
    private const string Header = "transaction_id,account_id,timestamp,amount,is_fraud";

    private static readonly ImportOptions Skip = new() { SkipBadRows = true };

    private readonly string _directory = Directory.CreateTempSubdirectory("fraud-reader-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string CsvRow(int i) => $"t{i},a{i % 10},2026-01-01T{i / 60 % 24:00}:{i % 60:00}:00Z,{10 + i % 7},{(i % 40 == 0 ? 1 : 0)}";

    private static byte[] JsonRow(int i) =>
        Encoding.UTF8.GetBytes($"{{\"transactionId\":\"t{i}\",\"accountId\":\"a{i % 10}\",\"timestamp\":\"2026-01-01T00:00:{i % 60:00}Z\",\"amount\":12.5}}");

    private static byte[] Csv(int rows) =>
        Encoding.UTF8.GetBytes(string.Join('\n', [Header, .. Enumerable.Range(0, rows).Select(CsvRow)]) + "\n");

    private static byte[] Gzip(byte[] data)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return compressed.ToArray();
    }

    private string Write(string name, byte[] content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static ImportException ReadFails(string path, ImportOptions options, out TransactionFileReader reader)
    {
        reader = TransactionFileReader.Open(path, options);
        var opened = reader;
        return Assert.Throws<ImportException>(() => opened.Read().ToList());
    }

    [Theory]
    [InlineData("\"accountId\":\"a", "\"")]
    [InlineData("\"note\":\"caf", "\",\"accountId\":\"a2\"")]
    [InlineData("\"n", "\":1,\"accountId\":\"a2\"")]
    public void Invalid_utf8_in_an_ndjson_line_is_a_row_error_at_its_byte(string before, string after)
    {
        // Latin-1 'é' (0xE9) where UTF-8 needs two bytes: what an export from a Windows tool looks like.
        var prefix = Encoding.UTF8.GetBytes("{\"transactionId\":\"t2\"," + before);
        byte[] line3 = [.. prefix, 0xE9, .. Encoding.UTF8.GetBytes(after + ",\"timestamp\":\"2026-01-01T00:00:02Z\",\"amount\":1}")];
        var path = Write("latin1.ndjson", [.. JsonRow(0), (byte)'\n', .. JsonRow(1), (byte)'\n', .. line3, (byte)'\n', .. JsonRow(3), (byte)'\n']);

        var error = ReadFails(path, new ImportOptions(), out var first);
        first.Dispose();
        Assert.Equal((3L, prefix.Length + 1), (error.Line, error.ColumnNumber));
        Assert.StartsWith($"latin1.ndjson:3:{prefix.Length + 1}: invalid UTF-8 at line 3, byte {prefix.Length + 1} (0xE9)", error.Message, StringComparison.Ordinal);

        using var skipping = TransactionFileReader.Open(path, Skip);
        Assert.Equal(new[] { "t0", "t1", "t3" }, skipping.Read().Select(r => r.Transaction.TransactionId));
        Assert.Equal(1, skipping.BadRowsSkipped);
    }

    [Fact]
    public void An_escaped_lone_surrogate_is_a_row_error_at_its_string()
    {
        var path = Write("surrogate.ndjson", [.. JsonRow(0), (byte)'\n', .. "{\"transactionId\":\"\\ud800\",\"accountId\":\"a1\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"amount\":1}\n"u8]);

        var error = ReadFails(path, new ImportOptions(), out var reader);
        reader.Dispose();
        Assert.Equal((2L, 18), (error.Line, error.ColumnNumber));
        Assert.Contains("invalid string", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.5)] // half the file
    [InlineData(-4)] // all but the end of the trailer: every row decodes, the archive is still not whole
    public void A_truncated_csv_gz_is_an_error_of_the_file_even_when_skipping_bad_rows(double keep)
    {
        var whole = Gzip(Csv(200));
        var length = keep > 0 ? (int)(whole.Length * keep) : whole.Length + (int)keep;
        var path = Write("rows.csv.gz", whole[..length]);

        foreach (var options in new[] { new ImportOptions(), Skip })
        {
            var error = ReadFails(path, options, out var reader);
            using (reader)
            {
                Assert.Contains("the gzip archive is truncated or corrupt", error.Problem, StringComparison.Ordinal);
                Assert.StartsWith($"rows.csv.gz:{error.Line}:1: ", error.Message, StringComparison.Ordinal);
                Assert.Contains($"reading stopped at line {error.Line}", error.Problem, StringComparison.Ordinal);
                Assert.InRange(error.Line, 2, 202);
                Assert.Equal(error.Line - 2, reader.RowsRead); // every row before the break, none after
                Assert.Equal(0, reader.BadRowsSkipped);
            }
        }
    }

    [Fact]
    public void A_corrupt_or_headless_gz_is_refused_and_a_whole_one_of_several_members_is_read()
    {
        var whole = Gzip(Csv(200));
        var corrupt = (byte[])whole.Clone();
        corrupt[corrupt.Length / 2] ^= 0xFF;
        var error = Assert.Throws<ImportException>(() =>
        {
            using var reader = TransactionFileReader.Open(Write("corrupt.csv.gz", corrupt), Skip);
            reader.Read().ToList();
        });
        Assert.Contains("the gzip archive is truncated or corrupt", error.Problem, StringComparison.Ordinal);

        // Cut inside the gzip header: nothing decodes, which must not pass for an empty file.
        var headless = Assert.Throws<ImportException>(() => TransactionFileReader.Open(Write("headless.csv.gz", whole[..5]), Skip));
        Assert.Contains("the gzip archive is truncated or corrupt", headless.Problem, StringComparison.Ordinal);

        // Members concatenated (cat a.gz b.gz, bgzip) are one valid file.
        var csv = Csv(200);
        using var members = TransactionFileReader.Open(Write("members.csv.gz", [.. Gzip(csv[..3000]), .. Gzip(csv[3000..])]), new ImportOptions());
        Assert.Equal(200, members.Read().Count());
    }

    [Fact]
    public void A_truncated_ndjson_gz_is_an_error_of_the_file()
    {
        var rows = Enumerable.Range(0, 300).SelectMany(i => (byte[])[.. JsonRow(i), (byte)'\n']).ToArray();
        var whole = Gzip(rows);
        var error = ReadFails(Write("rows.ndjson.gz", whole[..(whole.Length * 2 / 3)]), Skip, out var reader);
        using (reader)
        {
            Assert.Contains("the gzip archive is truncated or corrupt", error.Problem, StringComparison.Ordinal);
            Assert.Equal(error.Line - 1, reader.RowsRead);
        }
    }

    [Fact]
    public void An_unclosed_quote_is_reported_where_it_opens_and_never_skipped()
    {
        // Line 3 holds a quoted field with a line break in it (lines 3-4); the quote on line 6 never closes.
        var path = Write("quote.csv", Encoding.UTF8.GetBytes("""
            transaction_id,account_id,timestamp,amount,note
            t1,a1,2026-01-01T00:01:00Z,12,plain
            t2,a2,2026-01-01T00:02:00Z,12,"two
            lines"
            t3,a3,2026-01-01T00:03:00Z,12,x
            t4,a4,"2026-01-01T00:04:00Z,12,x
            t5,a5,2026-01-01T00:05:00Z,12,x
            t6,a6,2026-01-01T00:06:00Z,12,x

            """));

        foreach (var options in new[] { new ImportOptions(), Skip })
        {
            var error = ReadFails(path, options, out var reader);
            using (reader)
            {
                Assert.Equal((6L, "timestamp", 3), (error.Line, error.Column, error.ColumnNumber));
                Assert.StartsWith("quote.csv:6:3: column 'timestamp': a quoted field opened at line 6, character 7 is never closed", error.Message, StringComparison.Ordinal);
                Assert.Equal(3, reader.RowsRead);
            }
        }
    }

    [Fact]
    public void An_unclosed_quote_in_the_header_is_an_import_error()
    {
        var path = Write("header.csv", "transaction_id,\"account_id,timestamp,amount\nt1,a1,2026-01-01T00:00:00Z,5\n"u8.ToArray());
        var error = Assert.Throws<ImportException>(() => TransactionFileReader.Open(path, Skip));
        Assert.Equal((1L, 2), (error.Line, error.ColumnNumber));
        Assert.Contains("a quoted field opened at line 1, character 16 is never closed", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quote_that_stays_open_for_megabytes_is_refused_before_it_fills_memory()
    {
        var rows = string.Join('\n', Enumerable.Range(0, CsvTokenizer.MaxRecordChars / 30).Select(CsvRow));
        var path = Write("long.csv", Encoding.UTF8.GetBytes($"{Header}\n{CsvRow(0)}\nt1,\"a1,{rows}\n"));

        var error = ReadFails(path, Skip, out var reader);
        reader.Dispose();
        Assert.Equal((3L, 2), (error.Line, error.ColumnNumber));
        Assert.Contains($"a quoted field opened at line 3, character 4 is still open after {CsvTokenizer.MaxRecordChars:N0} characters", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ndjson_line_without_end_is_refused_before_it_fills_memory()
    {
        // Two good lines, then 20 MiB of spaces inside one object and no line break.
        var content = new List<byte>();
        content.AddRange(JsonRow(0));
        content.Add((byte)'\n');
        content.AddRange(JsonRow(1));
        content.AddRange("\n{\"transactionId\":\"t2\",\"x\":\""u8.ToArray());
        content.AddRange(Enumerable.Repeat((byte)' ', 20 * 1024 * 1024));
        var path = Write("endless.ndjson", [.. content]);

        var error = ReadFails(path, Skip, out var reader);
        reader.Dispose();
        Assert.True(error.IsFileError);
        Assert.Equal(3L, error.Line);
        Assert.Contains("longer than 16 MiB without a line break", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_nul_in_a_csv_row_is_a_row_error_at_its_line_and_field()
    {
        // Far enough in that the NUL arrives in a later buffer than the first.
        var lines = new List<string> { Header };
        lines.AddRange(Enumerable.Range(0, 5000).Select(CsvRow));
        lines[4001] = "t4000,a\0b,2026-01-01T18:40:00Z,12,0";
        var path = Write("nul.csv", Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));

        var error = ReadFails(path, new ImportOptions(), out var reader);
        using (reader)
        {
            Assert.Equal((4002L, "account_id", 2), (error.Line, error.Column, error.ColumnNumber));
            Assert.StartsWith("nul.csv:4002:2: column 'account_id': NUL byte at line 4002, character 8: the file may be UTF-16 or binary; save it as UTF-8",
                error.Message, StringComparison.Ordinal);
        }

        using var skipping = TransactionFileReader.Open(path, Skip);
        Assert.Equal(4999, skipping.Read().Count());
        Assert.Equal(1, skipping.BadRowsSkipped);
    }

    [Fact]
    public void A_utf16_csv_without_a_byte_order_mark_is_refused_at_its_header()
    {
        var path = Write("utf16.csv", Encoding.Unicode.GetBytes($"{Header}\n{CsvRow(0)}\n"));
        var error = Assert.Throws<ImportException>(() => TransactionFileReader.Open(path, Skip));
        Assert.Equal((1L, 1), (error.Line, error.ColumnNumber));
        Assert.Contains("NUL byte at line 1, character 2: the file may be UTF-16 or binary", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("after the object")]
    [InlineData("alone on a line")]
    public void A_nul_in_an_ndjson_line_is_a_row_error_at_its_byte(string where)
    {
        byte[] bad = where == "after the object" ? [.. JsonRow(2), 0, 0, 0] : [0, 0, 0, 0];
        var path = Write("nul.ndjson", [.. JsonRow(0), (byte)'\n', .. JsonRow(1), (byte)'\n', .. bad, (byte)'\n', .. JsonRow(3), (byte)'\n']);
        var at = bad.AsSpan().IndexOf((byte)0) + 1;

        var error = ReadFails(path, new ImportOptions(), out var reader);
        reader.Dispose();
        Assert.Equal((3L, at), (error.Line, error.ColumnNumber));
        Assert.StartsWith($"nul.ndjson:3:{at}: NUL byte at line 3, byte {at}: the file may be UTF-16 or binary; save it as UTF-8", error.Message, StringComparison.Ordinal);

        using var skipping = TransactionFileReader.Open(path, Skip);
        Assert.Equal(3, skipping.Read().Count());
        Assert.Equal(1, skipping.BadRowsSkipped);
    }
}
