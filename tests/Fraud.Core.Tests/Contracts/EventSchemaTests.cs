using System.Reflection;
using System.Text;
using System.Text.Json;
using Fraud.Contracts;
using Fraud.Core.Features;
using Fraud.Core.Rules;
using Fraud.Core.Scoring;
using NJsonSchema;
using NJsonSchema.Validation;
using static Fraud.Core.Tests.TestTransactions;

namespace Fraud.Core.Tests.Contracts;

/// <summary>
/// The JSON Schemas in <c>schemas/</c> are the contract for services in other languages: what the
/// engine writes must validate against them, what they reject the API must reject too, and every
/// member of the records must be declared.
/// </summary>
public sealed class EventSchemaTests
{
    private static readonly Lazy<IReadOnlyDictionary<string, JsonSchema>> Schemas = new(LoadSchemas);

    [Fact]
    public void A_scored_transaction_from_the_engine_and_its_anomaly_validate()
    {
        var tracker = new ProfileTracker(new ProfileOptions());
        var features = new float[FeatureVector.Length];
        for (var i = 0; i < 20; i++)
        {
            tracker.Observe(Full(Tx("acct-1", i * 60, 20m + i, merchant: "m-1", device: "d-1", country: "FR", lat: 48.85, lon: 2.35, channel: Channel.CardPresent)), features);
        }

        var spike = Full(Tx("acct-1", 20 * 60 + 5, 4_800m, merchant: "m-9", device: "d-9", country: "BR", lat: -23.55, lon: -46.63, channel: Channel.Online));
        tracker.Observe(spike, features);
        var scorer = new Scorer(null, new ScoringOptions(), RuleSet.Default(new RuleOptions()));
        var result = scorer.Explain(features, spike);
        Assert.NotEmpty(result.Reasons);
        var scored = new ScoredTransaction(spike, result.Score, result.Severity, result.Reasons, scorer.ModelVersion, Start.AddHours(21));

        AssertValid("scored-transaction", JsonSerializer.Serialize(scored, FraudJsonContext.Default.ScoredTransaction));
        AssertValid("anomaly", JsonSerializer.Serialize(new Anomaly(scored), FraudJsonContext.Default.Anomaly));
        AssertValid("anomaly", JsonSerializer.Serialize(
            new Anomaly(scored) { Status = AnomalyStatus.ConfirmedFraud, ReviewedBy = "ana", ReviewedAt = Start.AddDays(1), Note = "card holder confirmed" },
            FraudJsonContext.Default.Anomaly));
        // A scored transaction is not an anomaly until it has a review status.
        AssertInvalid("anomaly", JsonSerializer.Serialize(scored, FraudJsonContext.Default.ScoredTransaction));
        // The transaction's own rules hold through the schemas that extend it.
        AssertInvalid("anomaly", JsonSerializer.Serialize(new Anomaly(scored with { Currency = "EURO" }), FraudJsonContext.Default.Anomaly));
        AssertInvalid("scored-transaction", JsonSerializer.Serialize(scored with { Score = 1.5 }, FraudJsonContext.Default.ScoredTransaction));
    }

    [Fact]
    public void Transactions_and_verdicts_as_the_services_write_them_validate()
    {
        AssertValid("transaction", JsonSerializer.Serialize(Tx("a", 0, 1m), FraudJsonContext.Default.Transaction));
        AssertValid("transaction", JsonSerializer.Serialize(Full(Tx("a", 0, 12.5m, "m", "d", "DE", 52.5, 13.4, channel: Channel.Atm)), FraudJsonContext.Default.Transaction));
        AssertValid("verdict", JsonSerializer.Serialize(new Verdict
        {
            TransactionId = "t-1",
            AccountId = "a-1",
            MerchantId = "m-1",
            TransactionTime = Start,
            Status = AnomalyStatus.FalsePositive,
            ReviewedBy = "ana",
            ReviewedAt = Start.AddDays(2),
        }, FraudJsonContext.Default.Verdict));
        AssertInvalid("verdict", """{"transactionId":"t-1","accountId":"a-1","transactionTime":"2026-03-02T12:00:00Z","status":"maybe","reviewedAt":"2026-03-04T12:00:00Z"}""");
    }

    public static TheoryData<string, string> Rejected => new()
    {
        { "missing amount", """{"transactionId":"t","accountId":"a","timestamp":"2026-03-01T10:00:00Z"}""" },
        { "zero amount", """{"transactionId":"t","accountId":"a","timestamp":"2026-03-01T10:00:00Z","amount":0}""" },
        { "amount as text", """{"transactionId":"t","accountId":"a","timestamp":"2026-03-01T10:00:00Z","amount":"12.50"}""" },
        { "amount too large", """{"transactionId":"t","accountId":"a","timestamp":"2026-03-01T10:00:00Z","amount":1000000000001}""" },
        { "empty id", """{"transactionId":"","accountId":"a","timestamp":"2026-03-01T10:00:00Z","amount":1}""" },
        { "blank id", """{"transactionId":"  ","accountId":"a","timestamp":"2026-03-01T10:00:00Z","amount":1}""" },
        { "control character", """{"transactionId":"t\u0007","accountId":"a","timestamp":"2026-03-01T10:00:00Z","amount":1}""" },
        { "id too long", $$"""{"transactionId":"{{new string('x', 129)}}","accountId":"a","timestamp":"2026-03-01T10:00:00Z","amount":1}""" },
        { "numeric id", """{"transactionId":17,"accountId":"a","timestamp":"2026-03-01T10:00:00Z","amount":1}""" },
        { "not a timestamp", """{"transactionId":"t","accountId":"a","timestamp":"yesterday","amount":1}""" },
        { "unix seconds", """{"transactionId":"t","accountId":"a","timestamp":1767225600,"amount":1}""" },
        { "currency of 2 letters", """{"transactionId":"t","accountId":"a","timestamp":"2026-03-01T10:00:00Z","amount":1,"currency":"EU"}""" },
        { "country of 3 letters", """{"transactionId":"t","accountId":"a","timestamp":"2026-03-01T10:00:00Z","amount":1,"country":"FRA"}""" },
        { "unknown channel", """{"transactionId":"t","accountId":"a","timestamp":"2026-03-01T10:00:00Z","amount":1,"channel":"phone"}""" },
        { "latitude out of range", """{"transactionId":"t","accountId":"a","timestamp":"2026-03-01T10:00:00Z","amount":1,"latitude":91}""" },
        { "longitude out of range", """{"transactionId":"t","accountId":"a","timestamp":"2026-03-01T10:00:00Z","amount":1,"longitude":-180.5}""" },
        { "not an object", """["t"]""" },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void What_the_schema_rejects_the_API_rejects(string why, string json)
    {
        AssertInvalid("transaction", json);
        var errors = new List<FieldError>();
        Assert.True(TransactionJson.ParseOne(Encoding.UTF8.GetBytes(json), errors) is null, $"the reader accepted a transaction with {why}");
        Assert.NotEmpty(errors);
    }

    public static TheoryData<string> Accepted => new()
    {
        """{"transactionId":"t","accountId":"a","timestamp":"2026-03-01T10:00:00Z","amount":0.01}""",
        """{"transactionId":"t","accountId":"a","timestamp":"2026-03-01T10:00:00+02:00","amount":1,"currency":"eur","country":"fr","channel":"online","merchantId":null,"deviceId":"d","latitude":-90,"longitude":180}""",
        """{"transactionId":"t","accountId":"a","timestamp":"2026-03-01T10:00:00.123Z","amount":1,"somethingElse":{"nested":true}}""",
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void What_the_schema_accepts_the_API_accepts(string json)
    {
        AssertValid("transaction", json);
        var errors = new List<FieldError>();
        Assert.NotNull(TransactionJson.ParseOne(Encoding.UTF8.GetBytes(json), errors));
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("transaction", typeof(Transaction))]
    [InlineData("scored-transaction", typeof(ScoredTransaction))]
    [InlineData("anomaly", typeof(Anomaly))]
    [InlineData("verdict", typeof(Verdict))]
    public void Every_serialised_member_of_the_record_is_declared_in_its_schema(string schema, Type type)
    {
        var declared = DeclaredProperties(schema);
        var members = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<System.Text.Json.Serialization.JsonIgnoreAttribute>() is null && p.Name != "EqualityContract")
            .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name))
            .ToHashSet();
        Assert.Equal(members.Order(), declared.Order());
    }

    private static Transaction Full(Transaction tx) => tx with { MerchantCategory = "5411", Currency = "EUR" };

    private static void AssertValid(string schema, string json)
    {
        var errors = Schemas.Value[schema].Validate(json);
        Assert.True(errors.Count == 0, $"{schema} schema rejects {json}:\n{string.Join('\n', errors.Select(e => $"{e.Path} {e.Kind}"))}");
    }

    private static void AssertInvalid(string schema, string json) =>
        Assert.True(Schemas.Value[schema].Validate(json).Count > 0, $"{schema} schema accepts {json}");

    /// <summary>The members a schema declares, its own and those of the schemas it extends through allOf.</summary>
    private static IEnumerable<string> DeclaredProperties(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(SchemaPath(name)));
        var root = document.RootElement;
        var own = root.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToList();
        if (root.TryGetProperty("allOf", out var bases))
        {
            foreach (var reference in bases.EnumerateArray())
            {
                own.AddRange(DeclaredProperties(reference.GetProperty("$ref").GetString()!.Replace(".schema.json", "")));
            }
        }

        return own;
    }

    private static IReadOnlyDictionary<string, JsonSchema> LoadSchemas()
    {
        var files = Directory.GetFiles(SchemaDirectory(), "*.schema.json");
        Assert.NotEmpty(files);
        // The schemas refer to each other by relative file names, resolved from the files themselves (offline).
        return files.ToDictionary(f => Path.GetFileName(f).Replace(".schema.json", ""), f => JsonSchema.FromFileAsync(f).GetAwaiter().GetResult());
    }

    private static string SchemaPath(string name) => Path.Combine(SchemaDirectory(), name + ".schema.json");

    private static string SchemaDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fraud.Dapr.sln")))
            {
                return Path.Combine(dir.FullName, "schemas");
            }
        }

        throw new InvalidOperationException($"Fraud.Dapr.sln not found above {AppContext.BaseDirectory}");
    }
}
