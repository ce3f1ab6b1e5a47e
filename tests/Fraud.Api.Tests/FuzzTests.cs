using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Fraud.Api.Tests.Infrastructure;
using Fraud.TestSupport;

namespace Fraud.Api.Tests;

/// <summary>
/// Seeded fuzzing of every input the API takes: bodies of <c>POST /transactions</c>, <c>POST
/// /score</c> and reviews made from valid ones by byte and structure mutations; query strings of
/// <c>GET /anomalies</c> and <c>GET /stats</c>; ids in paths. Every answer is below 500 (a 503 only
/// with Retry-After), and every 400 is problem details naming the fields. Run on both ledgers, since
/// PostgreSQL refuses some text (NUL) that SQLite keeps. The seeds are fixed, so a failure
/// reproduces; the input is in the message.
/// </summary>
public abstract class FuzzTests(ApiHost host)
{
    /// <summary>The fuzzer sends faster than a caller without a key may.</summary>
    public const string NoRateLimit = "Fraud:Api:RequestsPerSecondPerIp=1000000";

    private const int Cases = 160;

    private static readonly string[] Values =
    [
        "\"\"", "\"x\"", "0", "-1", "1e400", "-0", "1e-400", "123456789012345678901234567890.5", "true", "null", "[]", "{}",
        "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00x\"", "\"a\\u0000b\"", "\"" + new string('x', 5000) + "\"", "\"2026-02-30T00:00:00Z\"",
        "\"0001-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59Z\"", "\"1900-01-01\"", "\"\\/\\/\"", "\"a/b\"", "\"é\"", "\"\\u202e\"",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        "{\"a\":{\"b\":{\"c\":1}}}", "NaN", "Infinity", "0x10", "01", "1.", ".5", "+1", "\"card_present\"", "\"CARD_PRESENT\"", "5",
    ];

    private static readonly string[] Members =
    [
        "transactionId", "accountId", "timestamp", "amount", "merchantId", "merchantCategory", "currency", "country", "channel",
        "deviceId", "latitude", "longitude", "unknown", "", "transactionid", "\\u0000", "amount\\u0000",
    ];

    private static readonly string[] QueryNames = ["severity", "status", "accountId", "from", "to", "minScore", "limit", "cursor", "x", ""];

    private static readonly string[] QueryValues =
    [
        "", "high", "high,critical", "HIGH", ",,,", "open", "x", "-1", "0", "1", "500", "501", "99999999999999999999", "0.5", "NaN", "1e308",
        "2026-01-01", "2026-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31", "yesterday", "%00", "a%00b", "%FF", "%C0%AF", "%ED%A0%80",
        "acct-1", "acct/1", new string('a', 200), "AAAA", "eyJ9", "MTIzOmFcdTAwMDBi", "MDphAGI", "%E2%80%AE", "+", "%2B", "&", "=",
    ];

    private readonly HttpClient _http = host.Http;

    [Fact]
    public async Task Mutated_transaction_bodies_get_202_or_a_4xx_naming_the_field_never_a_5xx()
    {
        var random = new Random(20261203);
        for (var i = 0; i < Cases; i++)
        {
            var body = MutatedTransactionBody(random, i);
            foreach (var route in new[] { "transactions", "score" })
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = random.Next(20) == 0 ? null : new MediaTypeHeaderValue("application/json");
                using var response = await _http.PostAsync(route, content);
                await CheckAsync(response, $"POST /{route} case {i}: {Show(body)}");
            }
        }
    }

    [Fact]
    public async Task Mutated_review_bodies_and_if_match_headers_get_a_4xx_or_a_review_never_a_5xx()
    {
        using (var seed = await _http.PostAsync("transactions", Tx.Json(Tx.CardTesting("fz", "acct-fuzz", Tx.T0))))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.Accepted, seed);
        }

        var ids = Tx.CardTestingAnomalies("fz").ToList();
        var random = new Random(4242);
        string[] statuses = ["\"open\"", "\"confirmed_fraud\"", "\"dismissed\"", "\"false_positive\"", "\"nope\"", "1", "null"];
        for (var i = 0; i < Cases; i++)
        {
            var id = random.Next(8) == 0 ? Uri.EscapeDataString(QueryValues[random.Next(QueryValues.Length)]) : ids[random.Next(ids.Count)];
            // Mostly well-formed reviews with odd values (they reach the ledger); a third mutated on top.
            var members = new List<string> { $"\"status\":{statuses[random.Next(statuses.Length)]}" };
            if (random.Next(4) != 0)
            {
                members.Add($"\"note\":{Values[random.Next(Values.Length)]}");
            }

            if (random.Next(3) == 0)
            {
                members.Add($"\"reviewedBy\":{Values[random.Next(Values.Length)]}");
            }

            var json = Encoding.UTF8.GetBytes("{" + string.Join(',', members) + "}");
            var body = random.Next(3) == 0 ? Mutate(json, random) : json;
            using var request = new HttpRequestMessage(HttpMethod.Patch, $"anomalies/{id}") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            var etag = random.Next(4) switch
            {
                0 or 1 => await CurrentETagAsync(id),
                2 => "\"" + QueryValues[random.Next(QueryValues.Length)] + "\"",
                _ => QueryValues[random.Next(QueryValues.Length)],
            };
            if (!string.IsNullOrEmpty(etag))
            {
                request.Headers.TryAddWithoutValidation("If-Match", etag);
            }

            using var response = await _http.SendAsync(request);
            await CheckAsync(response, $"PATCH /anomalies/{id} case {i}, If-Match {etag}: {Show(body)}");
        }
    }

    [Theory]
    [InlineData("note", "\"a\\u0000b\"")]
    [InlineData("note", "\"bell\\u0007\"")]
    [InlineData("reviewedBy", "\"ann\\u0000\"")]
    public async Task A_review_with_control_characters_is_a_400_naming_the_field_on_either_ledger(string member, string value)
    {
        var prefix = $"ctl{member.Length}{value.Length}";
        using (var seed = await _http.PostAsync("transactions", Tx.Json(Tx.CardTesting(prefix, $"acct-{prefix}", Tx.T0))))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.Accepted, seed);
        }

        var id = Tx.CardTestingAnomalies(prefix).First();
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"anomalies/{id}")
        {
            Content = Tx.Raw($"{{\"status\":\"dismissed\",\"{member}\":{value}}}"),
        };
        request.Headers.TryAddWithoutValidation("If-Match", await CurrentETagAsync(id));
        using var response = await _http.SendAsync(request);
        var problem = await HttpAssert.StatusAsync(HttpStatusCode.BadRequest, response);
        Assert.Contains("control characters", HttpAssert.Errors(problem)[member][0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Random_query_strings_and_path_ids_get_200_or_a_4xx_naming_the_parameter_never_a_5xx()
    {
        var random = new Random(777);
        for (var i = 0; i < Cases; i++)
        {
            var query = string.Join('&', Enumerable.Range(0, random.Next(1, 5)).Select(_ =>
                $"{QueryNames[random.Next(QueryNames.Length)]}={QueryValues[random.Next(QueryValues.Length)]}"));
            foreach (var path in new[] { "anomalies", "stats" })
            {
                using var response = await _http.GetAsync($"{path}?{query}");
                await CheckAsync(response, $"GET /{path}?{query}");
            }

            var id = QueryValues[random.Next(QueryValues.Length)];
            foreach (var path in new[] { "transactions", "anomalies" })
            {
                using var response = await _http.GetAsync($"{path}/{(random.Next(2) == 0 ? Uri.EscapeDataString(id) : id)}x");
                await CheckAsync(response, $"GET /{path}/{id}x");
            }
        }
    }

    private async Task<string> CurrentETagAsync(string id)
    {
        using var response = await _http.GetAsync($"anomalies/{id}");
        return response.Headers.ETag?.ToString() ?? string.Empty;
    }

    private static async Task CheckAsync(HttpResponseMessage response, string what)
    {
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        if (status == 400 && text.Length == 0 && response.Headers.ConnectionClose == true)
        {
            // Refused by Kestrel's HTTP parser before any middleware (a NUL in the request target):
            // a bare status that no application can shape (aspnet/KestrelHttpServer#2947).
            return;
        }

        Assert.True(status < 500 || (status == 503 && response.Headers.RetryAfter is not null), $"{what}\n→ {status}: {text}");
        if (status is >= 400 and < 500)
        {
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{what}\n→ {status} without problem details: {text}");
            var problem = JsonNode.Parse(text)!;
            Assert.Equal(status, problem["status"]!.GetValue<int>());
            if (status == 400)
            {
                var errors = problem["errors"]?.AsObject();
                Assert.True(errors is { Count: > 0 } && errors.All(e => e.Key.Length > 0 && e.Value!.AsArray().Count > 0), $"{what}\n→ 400 without named fields: {text}");
            }
        }
    }

    /// <summary>A valid batch (or single transaction) with one to three mutations: a member's value replaced, a member renamed, bytes cut, flipped or inserted.</summary>
    private static byte[] MutatedTransactionBody(Random random, int i)
    {
        var tx = new Dictionary<string, string>
        {
            ["transactionId"] = $"\"fz-{i}\"",
            ["accountId"] = "\"acct-fz\"",
            ["timestamp"] = "\"2026-03-02T09:00:00Z\"",
            ["amount"] = "12.5",
            ["merchantId"] = "\"m-1\"",
            ["currency"] = "\"EUR\"",
            ["country"] = "\"FR\"",
            ["channel"] = "\"online\"",
            ["latitude"] = "48.8",
            ["longitude"] = "2.3",
        };
        var keys = tx.Keys.ToList();
        for (var n = random.Next(1, 3); n > 0; n--)
        {
            tx[keys[random.Next(keys.Count)]] = Values[random.Next(Values.Length)];
        }

        var members = tx.Select(p => $"\"{p.Key}\":{p.Value}").ToList();
        if (random.Next(4) == 0)
        {
            members.Add($"\"{Members[random.Next(Members.Length)]}\":{Values[random.Next(Values.Length)]}");
        }

        var one = "{" + string.Join(',', members) + "}";
        var json = random.Next(3) == 0 ? one : "[" + one + "," + one.Replace($"fz-{i}", $"fz-{i}-b", StringComparison.Ordinal) + "]";
        var bytes = Encoding.UTF8.GetBytes(json);
        return random.Next(2) == 0 ? Mutate(bytes, random) : bytes;
    }

    private static byte[] Mutate(byte[] bytes, Random random)
    {
        var list = bytes.ToList();
        for (var n = random.Next(1, 4); n > 0 && list.Count > 0; n--)
        {
            var at = random.Next(list.Count);
            switch (random.Next(5))
            {
                case 0:
                    list.RemoveRange(at, list.Count - at);
                    break;
                case 1:
                    list[at] = (byte)random.Next(256);
                    break;
                case 2:
                    list.Insert(at, (byte)random.Next(256));
                    break;
                case 3:
                    list.InsertRange(at, [0xED, 0xA0, 0x80]); // an encoded surrogate: not UTF-8
                    break;
                default:
                    list.Insert(at, 0);
                    break;
            }
        }

        return [.. list];
    }

    private static string Show(byte[] body) => body.Length > 300
        ? $"{Encoding.UTF8.GetString(body, 0, 300)}… ({body.Length} bytes)"
        : Convert.ToHexString(body) + " = " + Encoding.UTF8.GetString(body);
}

/// <summary>The fuzz suite on the embedded default: a SQLite ledger.</summary>
public sealed class SqliteFuzzTests(SqliteFuzzTests.Fixture fixture) : FuzzTests(fixture.Host), IClassFixture<SqliteFuzzTests.Fixture>
{
    public sealed class Fixture : HostFixture
    {
        protected override string[] Settings => [FuzzTests.NoRateLimit];
    }
}

/// <summary>The fuzz suite on a PostgreSQL ledger.</summary>
public sealed class PostgresFuzzTests(PostgresFuzzTests.Fixture fixture) : FuzzTests(fixture.Host), IClassFixture<PostgresFuzzTests.Fixture>
{
    public sealed class Fixture : IAsyncLifetime
    {
        private readonly PostgresDatabase _database = new();
        private ApiHost? _host;

        public ApiHost Host => _host ?? throw new InvalidOperationException("The fixture has not started.");

        public async Task InitializeAsync()
        {
            await _database.InitializeAsync();
            _host = await ApiHost.StartAsync($"Fraud:Ledger:ConnectionString={_database.ConnectionString}", NoRateLimit);
        }

        public async Task DisposeAsync()
        {
            if (_host is not null)
            {
                await _host.DisposeAsync();
            }

            await _database.DisposeAsync();
        }
    }
}
