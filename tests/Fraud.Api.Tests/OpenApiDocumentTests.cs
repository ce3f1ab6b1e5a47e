using System.Net;
using System.Text.Json.Nodes;
using Fraud.Api.Tests.Infrastructure;
using Fraud.TestSupport;

namespace Fraud.Api.Tests;

/// <summary>
/// <c>/openapi/v1.json</c> says what the API does: its schemas agree with <c>schemas/</c> and with
/// what the API reads (strings for enums, numbers that are numbers), its parameters and headers are
/// the ones the API reads, and requests replayed against the running API answer only with statuses
/// the document lists for them.
/// </summary>
public sealed class OpenApiDocumentTests(OpenApiDocumentTests.Fixture fixture) : IClassFixture<OpenApiDocumentTests.Fixture>
{
    private readonly ApiHost _host = fixture.Host;

    private HttpClient Http => _host.Http;

    [Fact]
    public async Task Enums_are_their_wire_names_and_numbers_are_numbers_only()
    {
        var document = await Http.OkJsonAsync("openapi/v1.json");
        var schemas = document["components"]!["schemas"]!;
        Assert.Equal(["card_present", "online", "atm", "transfer"], Enum(schemas["Channel"]!));
        Assert.Equal(["none", "low", "medium", "high", "critical"], Enum(schemas["Severity"]!));
        Assert.Equal(["open", "confirmed_fraud", "false_positive", "dismissed"], Enum(schemas["AnomalyStatus"]!));
        Assert.Equal(["open", "closed"], Enum(schemas["CaseStatus"]!));
        Assert.Equal(["opened", "alert_added", "assigned", "unassigned", "escalated", "noted", "closed", "alert_reviewed"], Enum(schemas["CaseEventKind"]!));
        foreach (var (path, schema) in Walk(document))
        {
            var types = Types(schema);
            Assert.False(types.Contains("string") && (types.Contains("number") || types.Contains("integer")), $"{path} is declared number-or-string: {schema.ToJsonString()}");
        }
    }

    [Fact]
    public async Task The_transaction_schema_agrees_with_schemas_transaction_schema_json()
    {
        var document = await Http.OkJsonAsync("openapi/v1.json");
        var generated = document["components"]!["schemas"]!["Transaction"]!;
        var published = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "schemas", "transaction.schema.json")))!;

        var properties = published["properties"]!.AsObject();
        Assert.Equal(properties.Select(p => p.Key).Order(StringComparer.Ordinal), generated["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(Strings(published["required"]!).Order(StringComparer.Ordinal), Strings(generated["required"]!).Order(StringComparer.Ordinal));
        var definitions = published["definitions"]!;
        foreach (var (name, property) in properties)
        {
            var expected = PublishedTypes(property!, definitions);
            var actual = Types(Resolve(generated["properties"]![name]!, document));
            if (property!["enum"] is { } values)
            {
                Assert.Equal(Strings(values).Where(v => v is not null).Order(StringComparer.Ordinal), Enum(Resolve(generated["properties"]![name]!, document)).Order(StringComparer.Ordinal));
                continue;
            }

            expected.Remove("null");
            actual.Remove("null");
            Assert.True(expected.SetEquals(actual), $"{name}: schemas/ says {string.Join('|', expected)}, the document {string.Join('|', actual)}");
        }
    }

    [Fact]
    public async Task Parameters_headers_and_bodies_are_the_ones_the_API_reads()
    {
        var document = await Http.OkJsonAsync("openapi/v1.json");
        var paths = document["paths"]!;

        // Each documented query parameter is read: a value no parameter accepts is a 400 naming it.
        foreach (var (path, bad) in new[] { ("/anomalies", "not-a-value"), ("/stats", "not-a-time"), ("/cases", "not-a-value") })
        {
            var names = Parameters(paths[path]!["get"]!, "query");
            Assert.NotEmpty(names);
            foreach (var name in names.Where(n => n is not ("accountId" or "assignedTo")))
            {
                using var response = await Http.GetAsync($"{path.TrimStart('/')}?{name}={bad}");
                var errors = HttpAssert.Errors(await HttpAssert.StatusAsync(HttpStatusCode.BadRequest, response));
                Assert.Contains(name, errors.Keys);
            }
        }

        var review = paths["/anomalies/{id}"]!["patch"]!;
        Assert.Equal(["If-Match"], Parameters(review, "header"));
        Assert.Equal(["status"], Strings(document["components"]!["schemas"]!["ReviewRequest"]!["required"]!));
        Assert.NotNull(paths["/anomalies/{id}"]!["get"]!["responses"]!["200"]!["headers"]!["ETag"]);
        Assert.NotNull(review["responses"]!["200"]!["headers"]!["ETag"]);

        // POST /transactions takes one transaction or an array, as documented.
        var body = paths["/transactions"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!;
        var shapes = body["oneOf"]!.AsArray().Select(s => s!["type"]?.GetValue<string>() ?? s["$ref"]!.GetValue<string>()).ToList();
        Assert.Equal(["array", "#/components/schemas/Transaction"], shapes);
        using var one = await Http.PostAsync("transactions", Tx.Json(Tx.Quiet("oa-one", "acct-oa", Tx.T0)));
        await HttpAssert.StatusAsync(HttpStatusCode.Accepted, one);
        using var many = await Http.PostAsync("transactions", Tx.Json([Tx.Quiet("oa-many", "acct-oa", Tx.T0.AddMinutes(1))]));
        await HttpAssert.StatusAsync(HttpStatusCode.Accepted, many);
    }

    [Fact]
    public async Task Replayed_requests_answer_only_with_statuses_their_operation_documents()
    {
        var document = await Http.OkJsonAsync("openapi/v1.json");
        using (var seed = await Http.PostAsync("transactions", Tx.Json(Tx.CardTesting("oa", "acct-oa-burst", Tx.T0))))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.Accepted, seed);
        }

        var anomaly = Tx.CardTestingAnomalies("oa").First();
        using var read = await Http.GetAsync($"anomalies/{anomaly}");
        var etag = read.Headers.ETag!.ToString();
        var caseId = "acct-oa-burst~1";
        for (var waited = 0; (await Http.OkJsonAsync("cases?accountId=acct-oa-burst")).Items().Count == 0; waited++)
        {
            Assert.True(waited < 200, "case intake did not file the burst's alerts within 20 s");
            await Task.Delay(100);
        }

        var quiet = Tx.Quiet("oa-q", "acct-oa", Tx.T0).ToJsonString();
        var requests = new (string Operation, HttpMethod Method, string Path, string? Body, string? ContentType, string? IfMatch)[]
        {
            ("/transactions post", HttpMethod.Post, "transactions", $"[{quiet}]", "application/json", null),
            ("/transactions post", HttpMethod.Post, "transactions", "[{\"amount\":-1}]", "application/json", null),
            ("/transactions post", HttpMethod.Post, "transactions", quiet, "text/plain", null),
            ("/transactions post", HttpMethod.Post, "transactions", quiet, null, null),
            ("/score post", HttpMethod.Post, "score", quiet, "application/json", null),
            ("/score post", HttpMethod.Post, "score", "{}", "application/json", null),
            ("/score post", HttpMethod.Post, "score", quiet, "text/plain", null),
            ("/transactions/{id} get", HttpMethod.Get, "transactions/oa-q", null, null, null),
            ("/transactions/{id} get", HttpMethod.Get, "transactions/no-such-id", null, null, null),
            ("/transactions/{id} get", HttpMethod.Get, "transactions/a%20b", null, null, null),
            ("/anomalies get", HttpMethod.Get, "anomalies?severity=high", null, null, null),
            ("/anomalies get", HttpMethod.Get, "anomalies?limit=0", null, null, null),
            ("/anomalies/{id} get", HttpMethod.Get, $"anomalies/{anomaly}", null, null, null),
            ("/anomalies/{id} get", HttpMethod.Get, "anomalies/oa-q", null, null, null),
            ("/anomalies/{id} patch", HttpMethod.Patch, $"anomalies/{anomaly}", "{\"status\":\"dismissed\"}", "application/json", null),
            ("/anomalies/{id} patch", HttpMethod.Patch, $"anomalies/{anomaly}", "{\"status\":\"dismissed\"}", "application/json", "\"nonsense\""),
            ("/anomalies/{id} patch", HttpMethod.Patch, $"anomalies/{anomaly}", "{\"status\":\"dismissed\"}", "application/json", "\"0000000000000000\""),
            ("/anomalies/{id} patch", HttpMethod.Patch, $"anomalies/{anomaly}", "{\"status\":\"dismissed\"}", "text/plain", etag),
            ("/anomalies/{id} patch", HttpMethod.Patch, $"anomalies/{anomaly}", "{\"note\":\"no status\"}", "application/json", etag),
            ("/anomalies/{id} patch", HttpMethod.Patch, $"anomalies/{anomaly}", "{\"status\":\"dismissed\"}", "application/json", etag),
            ("/anomalies/{id} patch", HttpMethod.Patch, "anomalies/no-such-id", "{\"status\":\"dismissed\"}", "application/json", etag),
            ("/cases get", HttpMethod.Get, "cases?status=open", null, null, null),
            ("/cases get", HttpMethod.Get, "cases?limit=0", null, null, null),
            ("/cases/{id} get", HttpMethod.Get, $"cases/{caseId}", null, null, null),
            ("/cases/{id} get", HttpMethod.Get, "cases/acct-oa-burst~9", null, null, null),
            ("/cases/{id} get", HttpMethod.Get, "cases/not-a-case", null, null, null),
            ("/cases/{id}/timeline get", HttpMethod.Get, $"cases/{caseId}/timeline", null, null, null),
            ("/cases/{id}/timeline get", HttpMethod.Get, $"cases/{caseId}/timeline?limit=0", null, null, null),
            ("/cases/{id}/timeline get", HttpMethod.Get, "cases/acct-oa-burst~9/timeline", null, null, null),
            ("/cases/{id}/assign post", HttpMethod.Post, $"cases/{caseId}/assign", "{\"assignee\":\"oa\"}", "application/json", null),
            ("/cases/{id}/assign post", HttpMethod.Post, $"cases/{caseId}/assign", "{\"assignee\":\"oa\"}", "text/plain", null),
            ("/cases/{id}/assign post", HttpMethod.Post, $"cases/{caseId}/assign", "{\"assignee\":\"oa\"}", "application/json", "\"999\""),
            ("/cases/{id}/assign post", HttpMethod.Post, $"cases/{caseId}/assign", "{\"assignee\":\"oa\"}", "application/json", "nonsense"),
            ("/cases/{id}/notes post", HttpMethod.Post, $"cases/{caseId}/notes", "{\"note\":\"seen\"}", "application/json", null),
            ("/cases/{id}/notes post", HttpMethod.Post, "cases/acct-oa-burst~9/notes", "{\"note\":\"seen\"}", "application/json", null),
            ("/cases/{id}/verdict post", HttpMethod.Post, $"cases/{caseId}/verdict", "{\"status\":\"open\"}", "application/json", null),
            ("/cases/{id}/verdict post", HttpMethod.Post, $"cases/{caseId}/verdict", "{\"status\":\"dismissed\"}", "application/json", null),
            ("/cases/{id}/verdict post", HttpMethod.Post, $"cases/{caseId}/verdict", "{\"status\":\"dismissed\"}", "application/json", null),
            ("/cases/bulk post", HttpMethod.Post, "cases/bulk", $"{{\"caseIds\":[\"{caseId}\"],\"action\":\"assign\",\"assignee\":\"oa\"}}", "application/json", null),
            ("/cases/bulk post", HttpMethod.Post, "cases/bulk", "{}", "application/json", null),
            ("/stats get", HttpMethod.Get, "stats", null, null, null),
            ("/stats get", HttpMethod.Get, "stats?from=yesterday", null, null, null),
        };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (operation, method, path, body, contentType, ifMatch) in requests)
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(body));
                request.Content.Headers.ContentType = contentType is null ? null : System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
            }

            if (ifMatch is not null)
            {
                request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
            }

            using var response = await Http.SendAsync(request);
            var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var (route, verb) = (operation.Split(' ')[0], operation.Split(' ')[1]);
            var documented = document["paths"]![route]![verb]!["responses"]!.AsObject().Select(r => r.Key).ToHashSet();
            Assert.True(documented.Contains(status), $"{method} /{path} answered {status}, which {operation} does not document ({string.Join(", ", documented)})");
            seen.Add($"{operation} {status}");
        }

        // The replay reached the answers that matter, not only the happy path.
        Assert.Superset(
            new HashSet<string> { "/transactions post 202", "/transactions post 400", "/transactions post 415", "/anomalies/{id} patch 200", "/anomalies/{id} patch 412", "/anomalies/{id} patch 428", "/anomalies/{id} patch 404",
                "/cases/{id} get 200", "/cases/{id} get 404", "/cases/{id}/assign post 412", "/cases/{id}/assign post 415", "/cases/{id}/verdict post 200",
                "/cases/{id}/verdict post 409", "/cases/bulk post 200", "/cases/bulk post 400",
            },
            seen);
    }

    [Fact]
    public async Task Every_operation_documents_rate_limits_and_the_secured_ones_keys_and_roles()
    {
        var document = await Http.OkJsonAsync("openapi/v1.json");
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (verb, operation) in item!.AsObject())
            {
                var statuses = operation!["responses"]!.AsObject().Select(r => r.Key).ToHashSet();
                var missing = new[] { "401", "403", "429" }.Where(s => !statuses.Contains(s)).ToList();
                Assert.True(missing.Count == 0, $"{verb} {path} does not document {string.Join(", ", missing)}");
            }
        }
    }

    /// <summary>The types a published JSON Schema allows, through $ref and anyOf.</summary>
    private static HashSet<string> PublishedTypes(JsonNode schema, JsonNode definitions)
    {
        if (schema["$ref"] is { } reference)
        {
            return PublishedTypes(definitions[reference.GetValue<string>().Split('/')[^1]]!, definitions);
        }

        var types = Types(schema);
        foreach (var alternative in schema["anyOf"]?.AsArray() ?? [])
        {
            types.UnionWith(PublishedTypes(alternative!, definitions));
        }

        return types;
    }

    private static List<string> Parameters(JsonNode operation, string location) =>
        [.. (operation["parameters"]?.AsArray() ?? []).Where(p => p!["in"]!.GetValue<string>() == location).Select(p => p!["name"]!.GetValue<string>())];

    private static List<string?> Strings(JsonNode array) => [.. array.AsArray().Select(v => v?.GetValue<string>())];

    private static List<string> Enum(JsonNode schema) => [.. schema["enum"]!.AsArray().Select(v => v!.GetValue<string>())];

    private static HashSet<string> Types(JsonNode schema) => schema["type"] switch
    {
        JsonArray many => [.. many.Select(t => t!.GetValue<string>())],
        JsonValue one => [one.GetValue<string>()],
        _ => [],
    };

    /// <summary>A property's schema with a $ref (possibly inside oneOf with null) replaced by the component it names.</summary>
    private static JsonNode Resolve(JsonNode schema, JsonNode document)
    {
        var reference = schema["$ref"] ?? schema["oneOf"]?.AsArray().Select(s => s!["$ref"]).FirstOrDefault(r => r is not null);
        return reference is null ? schema : document["components"]!["schemas"]![reference.GetValue<string>().Split('/')[^1]]!;
    }

    private static IEnumerable<(string Path, JsonNode Schema)> Walk(JsonNode node, string path = "$")
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj.ContainsKey("type"))
                {
                    yield return (path, obj);
                }

                foreach (var (key, child) in obj)
                {
                    if (child is not null)
                    {
                        foreach (var found in Walk(child, $"{path}.{key}"))
                        {
                            yield return found;
                        }
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is { } child)
                    {
                        foreach (var found in Walk(child, $"{path}[{i}]"))
                        {
                            yield return found;
                        }
                    }
                }

                break;
        }
    }

    public sealed class Fixture : HostFixture;
}
