using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Fraud.Api.Tests.Infrastructure;

namespace Fraud.Api.Tests;

/// <summary>API keys and roles: 401 without a valid key, 403 for a key whose roles do not allow the route, admin may do everything.</summary>
public sealed class AuthTests(AuthTests.Fixture fixture) : IClassFixture<AuthTests.Fixture>
{
    private readonly ApiHost _host = fixture.Host;

    public static TheoryData<string, string> ApiRoutes => new()
    {
        { "POST", "transactions" },
        { "POST", "score" },
        { "GET", "transactions/au-9" },
        { "GET", "anomalies" },
        { "GET", "anomalies/au-9" },
        { "PATCH", "anomalies/au-9" },
        { "GET", "stats" },
    };

    [Theory]
    [MemberData(nameof(ApiRoutes))]
    public async Task Without_a_key_every_API_route_is_401_with_a_challenge(string method, string path)
    {
        using var response = await SendAsync(_host.Http, method, path);

        HttpAssert.IsProblem(await HttpAssert.StatusAsync(HttpStatusCode.Unauthorized, response), HttpStatusCode.Unauthorized);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "ApiKey" && h.Parameter!.Contains("X-Api-Key", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ApiRoutes))]
    public async Task An_unknown_key_is_401(string method, string path)
    {
        using var response = await SendAsync(_host.Client("not-a-key-of-this-service"), method, path);

        await HttpAssert.StatusAsync(HttpStatusCode.Unauthorized, response);
    }

    [Fact]
    public async Task Without_a_key_nothing_is_ingested()
    {
        using var response = await _host.Http.PostAsync("transactions", Tx.Json([Tx.Quiet("anon-1", "acct-anon", Tx.T0)]));

        await HttpAssert.StatusAsync(HttpStatusCode.Unauthorized, response);
        Assert.Equal(0L, _host.LedgerScalar("SELECT count(*) FROM scored_transactions WHERE transaction_id = 'anon-1'"));
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/health")]
    [InlineData("/metrics")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/")]
    public async Task Probes_metrics_the_document_and_the_console_need_no_key(string path)
    {
        using var response = await _host.Http.GetAsync(path);

        await HttpAssert.StatusAsync(HttpStatusCode.OK, response);
    }

    [Fact]
    public async Task An_analyst_key_may_not_ingest_or_score()
    {
        var analyst = _host.Client(Keys.Analyst);

        using (var ingest = await analyst.PostAsync("transactions", Tx.Json([Tx.Quiet("by-analyst-1", "acct-analyst", Tx.T0)])))
        {
            HttpAssert.IsProblem(await HttpAssert.StatusAsync(HttpStatusCode.Forbidden, ingest), HttpStatusCode.Forbidden);
        }

        using (var score = await analyst.PostAsync("score", Tx.Json(Tx.Quiet("by-analyst-2", "acct-analyst", Tx.T0))))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.Forbidden, score);
        }

        using var read = await _host.Client(Keys.Admin).GetAsync("transactions/by-analyst-1");
        await HttpAssert.StatusAsync(HttpStatusCode.NotFound, read);
    }

    [Theory]
    [InlineData("GET", "anomalies")]
    [InlineData("GET", "anomalies/au-9")]
    [InlineData("PATCH", "anomalies/au-9")]
    [InlineData("GET", "transactions/au-9")]
    [InlineData("GET", "stats")]
    public async Task An_ingest_key_may_not_read_or_review(string method, string path)
    {
        using var response = await SendAsync(_host.Client(Keys.Ingest), method, path);

        HttpAssert.IsProblem(await HttpAssert.StatusAsync(HttpStatusCode.Forbidden, response), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task An_ingest_key_ingests_and_scores_and_an_analyst_key_reads()
    {
        using (var ingest = await _host.Client(Keys.Ingest).PostAsync("transactions", Tx.Json([Tx.Quiet("by-feeder-1", "acct-feeder", Tx.T0)])))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.Accepted, ingest);
        }

        using (var score = await _host.Client(Keys.Ingest).PostAsync("score", Tx.Json(Tx.Quiet("by-feeder-2", "acct-feeder", Tx.T0))))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.OK, score);
        }

        var analyst = _host.Client(Keys.Analyst);
        Assert.Equal("acct-feeder", (await analyst.OkJsonAsync("transactions/by-feeder-1")).Str("accountId"));
        Assert.Contains("au-11", (await analyst.OkJsonAsync("anomalies")).Ids());
        await analyst.OkJsonAsync("stats");
    }

    [Fact]
    public async Task An_admin_key_may_do_both()
    {
        var admin = _host.Client(Keys.Admin);

        using (var ingest = await admin.PostAsync("transactions", Tx.Json([Tx.Quiet("by-root-1", "acct-root", Tx.T0)])))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.Accepted, ingest);
        }

        Assert.Equal("acct-root", (await admin.OkJsonAsync("transactions/by-root-1")).Str("accountId"));
        Assert.Equal(["au-11", "au-10", "au-9"], (await admin.OkJsonAsync("anomalies?accountId=acct-au")).Ids());
        await admin.OkJsonAsync("stats");
    }

    [Theory]
    [InlineData("ApiKey")]
    [InlineData("apikey")]
    public async Task The_key_may_come_in_an_Authorization_ApiKey_header(string scheme)
    {
        using var http = _host.NewClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(scheme, Keys.Analyst);

        Assert.Contains("au-9", (await http.OkJsonAsync("anomalies")).Ids());
    }

    [Fact]
    public async Task Another_Authorization_scheme_is_not_a_key()
    {
        using var http = _host.NewClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Keys.Analyst);

        using var response = await http.GetAsync("anomalies");

        await HttpAssert.StatusAsync(HttpStatusCode.Unauthorized, response);
    }

    [Fact]
    public async Task A_review_is_signed_with_the_key_name()
    {
        var analyst = _host.Client(Keys.Analyst);
        using var read = await analyst.GetAsync("anomalies/au-10");
        await HttpAssert.StatusAsync(HttpStatusCode.OK, read);

        using var request = new HttpRequestMessage(HttpMethod.Patch, "anomalies/au-10") { Content = Tx.Json(new JsonObject { ["status"] = "confirmed_fraud" }) };
        request.Headers.IfMatch.Add(read.Headers.ETag!);
        using var review = await analyst.SendAsync(request);

        Assert.Equal(Keys.AnalystName, (await HttpAssert.StatusAsync(HttpStatusCode.OK, review))!.Str("reviewedBy"));
        Assert.Equal(Keys.AnalystName, _host.LedgerScalar("SELECT reviewed_by FROM scored_transactions WHERE transaction_id = 'au-10'"));
        Assert.Equal(1L, _host.LedgerScalar("SELECT label FROM scored_transactions WHERE transaction_id = 'au-10'"));
    }

    [Fact]
    public async Task Only_an_admin_key_may_sign_a_review_with_another_name()
    {
        var analyst = _host.Client(Keys.Analyst);
        using var read = await analyst.GetAsync("anomalies/au-9");
        await HttpAssert.StatusAsync(HttpStatusCode.OK, read);

        using var impersonation = new HttpRequestMessage(HttpMethod.Patch, "anomalies/au-9")
        {
            Content = Tx.Json(new JsonObject { ["status"] = "dismissed", ["reviewedBy"] = "someone-else" }),
        };
        impersonation.Headers.IfMatch.Add(read.Headers.ETag!);
        using var refused = await analyst.SendAsync(impersonation);
        HttpAssert.IsProblem(await HttpAssert.StatusAsync(HttpStatusCode.BadRequest, refused), HttpStatusCode.BadRequest);
        Assert.Null(_host.LedgerScalar("SELECT reviewed_by FROM scored_transactions WHERE transaction_id = 'au-9'"));

        using var onBehalf = new HttpRequestMessage(HttpMethod.Patch, "anomalies/au-9")
        {
            Content = Tx.Json(new JsonObject { ["status"] = "dismissed", ["reviewedBy"] = "night-shift" }),
        };
        onBehalf.Headers.IfMatch.Add(read.Headers.ETag!);
        using var accepted = await _host.Client(Keys.Admin).SendAsync(onBehalf);
        Assert.Equal("night-shift", (await HttpAssert.StatusAsync(HttpStatusCode.OK, accepted))!.Str("reviewedBy"));
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method != "GET")
        {
            request.Content = path.StartsWith("anomalies", StringComparison.Ordinal)
                ? Tx.Json(new JsonObject { ["status"] = "dismissed" })
                : Tx.Json(Tx.Quiet("auth-probe", "acct-auth-probe", Tx.T0));
            request.Headers.IfMatch.Add(EntityTagHeaderValue.Any);
        }

        return http.SendAsync(request);
    }

    public sealed class Fixture : HostFixture
    {
        protected override string[] Settings => [.. Keys.All(), "Fraud:Api:RequestsPerSecondPerIp=100000"];

        protected override async Task SeedAsync(ApiHost host)
        {
            using var response = await host.Client(Keys.Admin).PostAsync("transactions", Tx.Json(Tx.CardTesting("au", "acct-au", Tx.T0)));
            await HttpAssert.StatusAsync(HttpStatusCode.Accepted, response);
        }
    }
}
