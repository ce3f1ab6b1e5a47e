using System.Text;
using Fraud.Contracts;
using Fraud.Core.Import;

namespace Fraud.Core.Tests.Import;

/// <summary>A file that backtests is a body that <c>POST /transactions</c> accepts: CSV and JSON obey one rule set.</summary>
public sealed class TransactionRulesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fraud-rules-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string, string, string, string> Refused => new()
    {
        // CSV column and value, JSON member and value, the rule's words
        { "amount", "0", "\"amount\":0", "must be greater than 0" },
        { "amount", "2000000000000", "\"amount\":2000000000000", "must be at most 1000000000000" },
        { "amount", "1e-28", "\"amount\":1e-28", "must be at least 0.00000001" },
        { "amount", "0.000000001", "\"amount\":0.000000001", "must be at least 0.00000001" },
        // Read as 12.3 by any parser, without a word: refused instead.
        { "amount", "12.30000000000000000000000000000000000001", "\"amount\":12.30000000000000000000000000000000000001", "more than 28 significant digits" },
        { "amount", "1" + new string('7', 60), "\"amount\":1" + new string('7', 60), "more than 28 significant digits" },
        { "timestamp", "1900-01-01T00:00:00Z", "\"timestamp\":\"1900-01-01T00:00:00Z\"", "must be between 2000-01-01 and 2067-12-31" },
        { "timestamp", "2099-06-01T00:00:00Z", "\"timestamp\":\"2099-06-01T00:00:00Z\"", "must be between 2000-01-01 and 2067-12-31" },
        { "account_id", new string('a', 129), $"\"accountId\":\"{new string('a', 129)}\"", "must be at most 128 characters" },
        { "merchant_id", "m\u0001x", "\"merchantId\":\"m\\u0001x\"", "may hold only letters A-Z and a-z, digits and . _ : @ + = ~ - (U+0001 at position 2 is not one of them)" },
        // Characters that break a URL path segment, a Dapr state key or the actor API.
        { "account_id", "acct/7", "\"accountId\":\"acct/7\"", "('/' at position 5 is not one of them)" },
        { "account_id", "a||b", "\"accountId\":\"a||b\"", "('|' at position 2 is not one of them)" },
        { "transaction_id", "t 1", "\"transactionId\":\"t 1\"", "(U+0020 at position 2 is not one of them)" },
        { "device_id", "d%2F", "\"deviceId\":\"d%2F\"", "('%' at position 2 is not one of them)" },
        { "merchant_id", "caf\u00e9", "\"merchantId\":\"caf\u00e9\"", "(U+00E9 at position 4 is not one of them)" },
        { "latitude", "91", "\"latitude\":91", "must be between -90 and 90" },
        { "currency", "EURO", "\"currency\":\"EURO\"", TransactionRules.CurrencyRule },
    };

    [Theory]
    [InlineData("12.300000000000001")] // a float's 17 digits, as pandas writes them
    [InlineData("0.00000001")]
    [InlineData("1000000000000.000000000000000")]
    [InlineData("1234567890.123456789012345678")]
    public void An_amount_within_the_rules_is_kept_exactly_by_both_readers(string written)
    {
        var path = Path.Combine(_directory, "exact.csv");
        File.WriteAllText(path, $"transaction_id,account_id,timestamp,amount\nt1,a1,2026-01-02T03:04:05Z,{written}\n");
        using var reader = TransactionFileReader.Open(path, new ImportOptions());
        var fromCsv = Assert.Single(reader.Read()).Transaction.Amount;
        var batch = TransactionJson.ParseBatch(Encoding.UTF8.GetBytes($"{{\"transactionId\":\"t1\",\"accountId\":\"a1\",\"timestamp\":\"2026-01-02T03:04:05Z\",\"amount\":{written}}}"), 10);
        Assert.Empty(batch.Errors);
        var expected = decimal.Parse(written, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, fromCsv);
        Assert.Equal(expected, Assert.Single(batch.Transactions).Amount);
        Assert.Equal(written.TrimEnd('0').TrimEnd('.'), expected.ToString(System.Globalization.CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.'));
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_value_either_reader_refuses_the_other_refuses_for_the_same_reason(string column, string csvValue, string jsonMember, string rule)
    {
        var values = new Dictionary<string, string>
        {
            ["transaction_id"] = "t1",
            ["account_id"] = "a1",
            ["timestamp"] = "2026-01-02T03:04:05Z",
            ["amount"] = "12.5",
            [column] = csvValue,
        };
        var path = Path.Combine(_directory, "rows.csv");
        File.WriteAllText(path, string.Join(',', values.Keys) + "\n" + string.Join(',', values.Values) + "\n");
        using var reader = TransactionFileReader.Open(path, new ImportOptions());
        var error = Assert.Throws<ImportException>(() => reader.Read().ToList());
        Assert.Equal((2L, column), (error.Line, error.Column));
        Assert.Contains(rule, error.Problem, StringComparison.Ordinal);
        Assert.Contains($"rows.csv:2:{error.ColumnNumber}", error.Message, StringComparison.Ordinal);

        // The same row in JSON: the refused member in place of its valid value.
        var members = new List<string> { "\"transactionId\":\"t1\"", "\"accountId\":\"a1\"", "\"timestamp\":\"2026-01-02T03:04:05Z\"", "\"amount\":12.5" };
        members.RemoveAll(m => m[..m.IndexOf(':', StringComparison.Ordinal)] == jsonMember[..jsonMember.IndexOf(':', StringComparison.Ordinal)]);
        var json = "{" + string.Join(',', [.. members, jsonMember]) + "}";
        var batch = TransactionJson.ParseBatch(Encoding.UTF8.GetBytes(json), 10);
        Assert.Empty(batch.Transactions);
        Assert.Contains(batch.Errors, e => e.Message.Contains(rule, StringComparison.Ordinal));
    }

    [Fact]
    public void A_member_or_a_column_given_twice_is_refused_rather_than_guessed()
    {
        var path = Path.Combine(_directory, "twice.csv");
        File.WriteAllText(path, "transaction_id,account_id,timestamp,amount,Amount\nt1,a1,2026-01-02T03:04:05Z,12.5,9500\n");
        var error = Assert.Throws<ImportException>(() => TransactionFileReader.Open(path, new ImportOptions()).Dispose());
        Assert.Equal((1L, "Amount", 5), (error.Line, error.Column, error.ColumnNumber));
        Assert.Contains("twice (columns 4 and 5)", error.Problem, StringComparison.Ordinal);

        var batch = TransactionJson.ParseBatch(
            Encoding.UTF8.GetBytes("{\"transactionId\":\"t1\",\"accountId\":\"a1\",\"timestamp\":\"2026-01-02T03:04:05Z\",\"amount\":12.5,\"amount\":9500}"), 10);
        Assert.Empty(batch.Transactions);
        var member = Assert.Single(batch.Errors);
        Assert.Equal(("amount", "appears more than once; send each member once"), (member.Path, member.Message));
    }

    [Fact]
    public void A_row_within_every_rule_is_read_as_the_same_transaction_as_its_json()
    {
        var path = Path.Combine(_directory, "ok.csv");
        File.WriteAllText(path, "transaction_id,account_id,timestamp,amount,currency,channel\nt1,a1,2026-01-02T03:04:05Z,0.01,eur,ONLINE\n");
        using var reader = TransactionFileReader.Open(path, new ImportOptions());
        var row = Assert.Single(reader.Read()).Transaction;

        var json = TransactionJson.ParseBatch(
            """{"transactionId":"t1","accountId":"a1","timestamp":"2026-01-02T03:04:05Z","amount":0.01,"currency":"eur","channel":"online"}"""u8, 10);

        Assert.Equal(Assert.Single(json.Transactions), row);
    }
}
