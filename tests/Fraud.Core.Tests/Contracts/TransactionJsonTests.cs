using System.Text;
using System.Text.Json;
using Fraud.Contracts;

namespace Fraud.Core.Tests.Contracts;

public class TransactionJsonTests
{
    private const string Valid = """{"transactionId":"t1","accountId":"a1","timestamp":"2026-01-02T03:04:05Z","amount":12.50}""";

    private static TransactionBatch Parse(string json, int max = 100) => TransactionJson.ParseBatch(Encoding.UTF8.GetBytes(json), max);

    /// <summary>Bytes that are not UTF-8, and escapes of half a surrogate pair, in every kind of string the reader decodes.</summary>
    public static TheoryData<byte[], string> InvalidText()
    {
        static byte[] Body(string before, byte[] bad, string after) => [.. Encoding.UTF8.GetBytes(before), .. bad, .. Encoding.UTF8.GetBytes(after)];
        const string Rest = ",\"accountId\":\"a1\",\"timestamp\":\"2026-01-02T03:04:05Z\",\"amount\":5}]";
        return new()
        {
            { Body("[{\"transactionId\":\"t", [0xFF], "1\"" + Rest), "[0].transactionId" },
            { Body("[{\"transactionId\":\"t\\ud800x\"", [], Rest), "[0].transactionId" },
            { Body("[{\"transactionId\":\"t1\",\"timestamp\":\"2026", [0xC3, 0x28], "\",\"accountId\":\"a1\",\"amount\":5}]"), "[0].timestamp" },
            { Body("[{\"transactionId\":\"t1\",\"currency\":\"\\udc00ab\"", [], Rest), "[0].currency" },
            { Body("[{\"transactionId\":\"t1\",\"channel\":\"\\ud800\"", [], Rest), "[0].channel" },
            { Body("[{\"transactionId\":\"t1\",\"\\ud800\":1", [], Rest), "[0]" },
        };
    }

    [Theory]
    [MemberData(nameof(InvalidText))]
    public void Text_that_is_not_valid_unicode_is_the_fields_error_not_a_crash(byte[] body, string field)
    {
        var batch = TransactionJson.ParseBatch(body, 10);

        Assert.Empty(batch.Transactions);
        var error = Assert.Single(batch.Errors, e => e.Path == field);
        Assert.Contains("is not valid text", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_single_object_with_only_the_required_fields_is_a_transaction()
    {
        var batch = Parse(Valid);

        var tx = Assert.Single(batch.Transactions);
        Assert.Equal("t1", tx.TransactionId);
        Assert.Equal("a1", tx.AccountId);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), tx.Timestamp);
        Assert.Equal(12.50m, tx.Amount);
        Assert.Null(tx.MerchantId);
    }

    [Fact]
    public void Every_optional_field_is_read_and_codes_are_upper_cased()
    {
        var batch = Parse("""
            [{"transactionId":"t1","accountId":"a1","timestamp":"2026-01-02T04:04:05+01:00","amount":1,
              "merchantId":"m","merchantCategory":"grocery","currency":"eur","country":"fr","channel":"card_present",
              "deviceId":"d","latitude":48.85,"longitude":2.35,"somethingNew":{"nested":[1,2]}}]
            """);

        var tx = Assert.Single(batch.Transactions);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), tx.Timestamp);
        Assert.Equal(("m", "grocery", "EUR", "FR", Channel.CardPresent, "d", 48.85, 2.35),
            (tx.MerchantId, tx.MerchantCategory, tx.Currency, tx.Country, tx.Channel!.Value, tx.DeviceId, tx.Latitude!.Value, tx.Longitude!.Value));
    }

    [Fact]
    public void Every_bad_field_of_every_item_is_named_and_nothing_is_accepted()
    {
        var batch = Parse("""
            [{"transactionId":"ok","accountId":"a","timestamp":"2026-01-02T03:04:05Z","amount":1},
             {"transactionId":"","accountId":7,"timestamp":"yesterday","amount":0,"currency":"EURO","channel":"web","latitude":91},
             {"accountId":"a"},
             42]
            """);

        Assert.Empty(batch.Transactions);
        var byPath = batch.Errors.ToDictionary(e => e.Path, e => e.Message);
        Assert.Equal(
            ["[1].accountId", "[1].amount", "[1].channel", "[1].currency", "[1].latitude", "[1].timestamp", "[1].transactionId",
             "[2].amount", "[2].timestamp", "[2].transactionId", "[3]"],
            byPath.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("must be greater than 0", byPath["[1].amount"]);
        Assert.Equal("must be a string", byPath["[1].accountId"]);
        Assert.Equal("is required", byPath["[2].amount"]);
        Assert.Contains("card_present", byPath["[1].channel"]);
    }

    [Theory]
    [InlineData("", "$")]
    [InlineData("[]", "$")]
    [InlineData("\"text\"", "$")]
    [InlineData("{\"transactionId\":", "$")]
    [InlineData(Valid + " {}", "$")]
    public void Malformed_bodies_are_refused_with_a_message(string json, string path)
    {
        var batch = Parse(json);

        Assert.False(batch.IsValid);
        Assert.Empty(batch.Transactions);
        Assert.Contains(batch.Errors, e => e.Path == path && e.Message.Length > 10);
    }

    [Fact]
    public void Invalid_json_names_the_line_and_byte()
    {
        var error = Assert.Single(Parse("[\n" + Valid + ",\n{\"amount\": tru }]").Errors);

        Assert.StartsWith("invalid JSON at line 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_batch_beyond_the_limit_is_refused_whole()
    {
        var batch = Parse("[" + string.Join(',', Enumerable.Repeat(Valid, 4)) + "]", max: 3);

        Assert.Empty(batch.Transactions);
        Assert.Contains("at most 3", Assert.Single(batch.Errors).Message);
    }

    [Theory]
    [InlineData("""{"transactionId":"t","accountId":"a","timestamp":"1999-12-31T23:59:59Z","amount":1}""", "timestamp")]
    [InlineData("""{"transactionId":"t","accountId":"a","timestamp":"1767225600","amount":1}""", "timestamp")]
    [InlineData("""{"transactionId":"t","accountId":"a","timestamp":"2026-01-01T00:00:00Z","amount":"12"}""", "amount")]
    [InlineData("""{"transactionId":"t","accountId":"a","timestamp":"2026-01-01T00:00:00Z","amount":1e13}""", "amount")]
    [InlineData("""{"transactionId":"t\u0001","accountId":"a","timestamp":"2026-01-01T00:00:00Z","amount":1}""", "transactionId")]
    public void Values_outside_the_contract_are_refused(string json, string field)
    {
        Assert.Equal(field, Assert.Single(Parse(json).Errors).Path);
    }

    [Fact]
    public void What_the_contract_serializer_writes_is_read_back_identically()
    {
        var tx = new Transaction
        {
            TransactionId = "t9",
            AccountId = "a9",
            Timestamp = new DateTimeOffset(2026, 5, 6, 7, 8, 9, TimeSpan.Zero),
            Amount = 99.99m,
            MerchantId = "m9",
            Channel = Channel.Transfer,
            Latitude = -33.9,
            Longitude = 151.2,
        };
        var json = JsonSerializer.Serialize(tx, FraudJsonContext.Default.Transaction);

        var errors = new List<FieldError>();
        var back = TransactionJson.ParseOne(Encoding.UTF8.GetBytes(json), errors);

        Assert.Empty(errors);
        Assert.Equal(tx, back);
    }
}
