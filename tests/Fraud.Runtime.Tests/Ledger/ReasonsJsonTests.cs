using System.Text.Json;
using Fraud.Contracts;
using Fraud.Runtime.Ledger;

namespace Fraud.Runtime.Tests.Ledger;

/// <summary>The reasons column, written by the serializer and read back by hand.</summary>
public sealed class ReasonsJsonTests
{
    [Fact]
    public void What_is_written_reads_back_equal_escapes_and_all()
    {
        Reason[] reasons =
        [
            new("CARD_TESTING", "12 small transactions within the hour before this one", 0.61),
            new("NEW_COUNTRY", "first transaction in \"FR\" for this account\n(Île-de-France, 北京, 😀)", 0.25),
            new("AMOUNT_UNUSUAL", new string('x', 3_000), 1e-9),
        ];

        var read = ReasonsJson.Read(ReasonsJson.Write(reasons));

        Assert.Equal(reasons, read);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("[]")]
    public void No_reasons_read_as_an_empty_list(string? json)
    {
        Assert.Empty(ReasonsJson.Read(json));
        Assert.Null(ReasonsJson.Write([]));
    }

    [Fact]
    public void Members_it_does_not_know_are_skipped_and_missing_ones_left_empty()
    {
        var read = ReasonsJson.Read("""[{"weight":0.5,"extra":{"a":[1,2,{"b":null}]},"code":"VELOCITY"},{"detail":"d"}]""");

        Assert.Equal([new Reason("VELOCITY", string.Empty, 0.5), new Reason(string.Empty, "d", 0)], read);
    }

    [Theory]
    [InlineData("""{"code":"X"}""")]
    [InlineData("""[{"code":1}]""")]
    [InlineData("""[{"code":"X","weight":"high"}]""")]
    [InlineData("""[{"code":"X" """)]
    [InlineData("""["X"]""")]
    public void Anything_else_is_a_JSON_error(string json)
    {
        Assert.ThrowsAny<JsonException>(() => ReasonsJson.Read(json));
    }
}
