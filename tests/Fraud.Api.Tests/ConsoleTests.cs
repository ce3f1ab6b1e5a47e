using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Fraud.Api.Tests.Infrastructure;

namespace Fraud.Api.Tests;

/// <summary>
/// The analyst console page and the OpenAPI document: served without a key, self-contained (no
/// external resource, only relative API paths), building the DOM without markup from data, and
/// under a Content-Security-Policy that allows exactly its own inline script and style.
/// </summary>
public sealed partial class ConsoleTests(OpenHostFixture fixture) : IClassFixture<OpenHostFixture>
{
    private readonly ApiHost _host = fixture.Host;

    [Fact]
    public async Task The_console_is_served_at_the_root_as_html()
    {
        using var response = await _host.Http.GetAsync("/");

        await HttpAssert.StatusAsync(HttpStatusCode.OK, response);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        var html = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("<!doctype html>", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<title>", html, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task The_page_is_self_contained_and_calls_the_API_by_relative_paths()
    {
        var html = await _host.Http.GetStringAsync("/");

        // Nothing loaded from elsewhere: no URL with a scheme or a protocol-relative one, no src at all.
        Assert.DoesNotMatch(new Regex("(?i)https?:|wss?:|['\"(]//"), html);
        Assert.DoesNotMatch(new Regex(@"(?i)\ssrc\s*="), html);
        Assert.All(new Regex("(?i)href\\s*=\\s*\"([^\"]*)\"").Matches(html), m => Assert.StartsWith("data:", m.Groups[1].Value, StringComparison.Ordinal));
        Assert.DoesNotContain("@import", html, StringComparison.Ordinal);
        Assert.DoesNotContain("url(", html, StringComparison.Ordinal);

        // The API is called relative to the page (so it works behind a path prefix), never from the root.
        var script = Single(ScriptBlock(), html);
        var paths = ApiPath().Matches(script).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        // ("cases" alone is also the view's name, as in view=cases.)
        Assert.Superset(new HashSet<string>(StringComparer.Ordinal) { "anomalies?", "anomalies/", "stats", "cases?", "cases/", "cases" }, paths);
        Assert.Contains("cases?", paths);
        Assert.Contains("cases/", paths);
        Assert.DoesNotMatch(new Regex("['\"`]/(anomalies|stats|transactions|score|cases)"), script);
    }

    [Fact]
    public async Task The_page_runs_under_a_strict_policy_that_allows_exactly_its_inline_script_and_style()
    {
        using var response = await _host.Http.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();
        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        var directives = policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d.Split(' ').Skip(1).ToArray(), StringComparer.Ordinal);

        Assert.Equal(["'none'"], directives["default-src"]);
        Assert.Equal([Hash(Single(ScriptBlock(), html))], directives["script-src"]);
        Assert.Equal([Hash(Single(StyleBlock(), html))], directives["style-src"]);
        Assert.Equal(["'self'"], directives["connect-src"]);
        Assert.Equal(["'none'"], directives["frame-ancestors"]);
        Assert.DoesNotContain(directives.Values.SelectMany(v => v), v => v.Contains("unsafe", StringComparison.Ordinal));

        // What such a policy would block must not be needed: inline handlers, style attributes, javascript: URLs, eval.
        Assert.DoesNotMatch(new Regex(@"(?i)<[^>]+\son[a-z]+\s*="), html);
        Assert.DoesNotMatch(new Regex(@"(?i)<[^>]+\sstyle\s*="), html);
        Assert.DoesNotContain("javascript:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(new Regex(@"\beval\s*\(|new\s+Function\s*\(|setTimeout\s*\(\s*['""]"), html);
    }

    [Fact]
    public async Task The_script_never_turns_API_data_into_markup()
    {
        var script = Single(ScriptBlock(), await _host.Http.GetStringAsync("/"));

        Assert.DoesNotMatch(new Regex(@"\.(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write|createContextualFragment|DOMParser"), script);
        Assert.Contains("textContent", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_sends_the_API_key_from_session_storage_and_reviews_with_If_Match()
    {
        var html = await _host.Http.GetStringAsync("/");
        var script = Single(ScriptBlock(), html);

        // The key stays in the tab; the browser keeps only the analyst's own name (for "assign to me").
        Assert.Contains("sessionStorage", script, StringComparison.Ordinal);
        var kept = LocalStorageCall().Matches(script);
        Assert.NotEmpty(kept);
        Assert.All(kept, m => Assert.Equal("NAME_STORAGE", m.Groups[1].Value));
        Assert.Equal(kept.Count, Regex.Count(script, "localStorage"));
        Assert.Contains("'X-Api-Key'", script, StringComparison.Ordinal);
        Assert.Contains("'If-Match'", script, StringComparison.Ordinal);
        Assert.Contains("method: 'PATCH'", script, StringComparison.Ordinal);
        Assert.Contains("nextCursor", script, StringComparison.Ordinal);
        foreach (var status in new[] { "confirmed_fraud", "false_positive", "dismissed", "open" })
        {
            Assert.Contains($"data-status=\"{status}\"", html, StringComparison.Ordinal);
        }

        // Cases: a verdict per button, in the panel and for a selection.
        foreach (var verdict in new[] { "confirmed_fraud", "false_positive", "dismissed" })
        {
            Assert.Contains($"data-verdict=\"{verdict}\"", html, StringComparison.Ordinal);
            Assert.Contains($"data-bulk-verdict=\"{verdict}\"", html, StringComparison.Ordinal);
        }

        Assert.Contains("'cases/bulk'", script, StringComparison.Ordinal);
        Assert.Contains("act('verdict'", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_every_route_of_the_API()
    {
        var document = await _host.Http.OkJsonAsync("openapi/v1.json");

        Assert.StartsWith("3.", document.Str("openapi"), StringComparison.Ordinal);
        var paths = document["paths"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.AsObject().Select(o => o.Key).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(["post"], paths["/transactions"]);
        Assert.Equal(["get"], paths["/transactions/{id}"]);
        Assert.Equal(["post"], paths["/score"]);
        Assert.Equal(["get"], paths["/anomalies"]);
        Assert.Equal(["get", "patch"], paths["/anomalies/{id}"].Where(m => m is "get" or "patch"));
        Assert.Equal(["get"], paths["/stats"]);
        Assert.DoesNotContain("/", paths.Keys);
        Assert.DoesNotContain(paths.Keys, p => p.StartsWith("/health", StringComparison.Ordinal) || p == "/metrics");
        var review = document["paths"]!["/anomalies/{id}"]!["patch"]!["responses"]!.AsObject().Select(r => r.Key);
        Assert.Superset(new HashSet<string> { "200", "400", "404", "412", "428" }, review.ToHashSet());
    }

    private static string Single(Regex block, string html) => Assert.Single(block.Matches(html)).Groups[1].Value;

    private static string Hash(string content) => $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(content)))}'";

    [GeneratedRegex("<script>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex ScriptBlock();

    [GeneratedRegex("<style>(.*?)</style>", RegexOptions.Singleline)]
    private static partial Regex StyleBlock();

    /// <summary>String literals that start an API path: <c>'anomalies?'</c>, <c>'anomalies/'</c>, <c>'stats'</c>, <c>'cases?'</c>, <c>'cases/'</c>.</summary>
    [GeneratedRegex("""['"`]((?:anomalies|stats|transactions|score|cases)[?/]?)""")]
    private static partial Regex ApiPath();

    /// <summary>A call on localStorage and the constant naming what it keeps.</summary>
    [GeneratedRegex(@"localStorage\.(?:getItem|setItem|removeItem)\((\w+)")]
    private static partial Regex LocalStorageCall();
}
