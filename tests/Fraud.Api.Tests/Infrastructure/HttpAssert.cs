using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fraud.Api.Tests.Infrastructure;

/// <summary>Reading answers: status with the body in the failure message, JSON bodies, problem details.</summary>
public static class HttpAssert
{
    /// <summary>Asserts the status (on mismatch the message carries the body, which explains it); returns a JSON body, else null.</summary>
    public static async Task<JsonNode?> StatusAsync(HttpStatusCode expected, HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode,
            $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: expected {(int)expected} {expected}, got {(int)response.StatusCode} {response.StatusCode}: {body}");
        var json = response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true;
        return body.Length == 0 || !json ? null : JsonNode.Parse(body);
    }

    public static async Task<JsonNode> OkJsonAsync(this HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return (await StatusAsync(HttpStatusCode.OK, response))!;
    }

    /// <summary>The <c>errors</c> member of a validation problem: path → messages.</summary>
    public static Dictionary<string, string[]> Errors(JsonNode? problem)
    {
        Assert.NotNull(problem);
        var errors = problem["errors"]?.AsObject();
        Assert.True(errors is not null, $"no errors member in {problem.ToJsonString()}");
        return errors.ToDictionary(p => p.Key, p => p.Value!.AsArray().Select(m => m!.GetValue<string>()).ToArray(), StringComparer.Ordinal);
    }

    /// <summary>Asserts an RFC 9457 problem body with this status.</summary>
    public static void IsProblem(JsonNode? body, HttpStatusCode status)
    {
        Assert.NotNull(body);
        Assert.Equal((int)status, body["status"]?.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(body["title"]?.GetValue<string>()), body.ToJsonString());
    }

    public static string Str(this JsonNode node, string member) =>
        node[member]?.GetValue<string>() ?? throw new Xunit.Sdk.XunitException($"no string '{member}' in {node.ToJsonString()}");

    public static IReadOnlyList<JsonNode> Items(this JsonNode page) => [.. page["items"]!.AsArray().Select(i => i!)];

    public static IReadOnlyList<string> Ids(this JsonNode page) => [.. page.Items().Select(i => i.Str("transactionId"))];

    public static string Pretty(JsonNode? node) => node?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "(empty)";
}
