using System.Globalization;
using System.Net;
using Fraud.Api.Tests.Infrastructure;

namespace Fraud.Api.Tests;

/// <summary>
/// Reading anomalies back after a fraud burst: the list with every filter, keyset paging, one by id
/// with its ETag, statistics, and <c>POST /score</c> (which records nothing). Nothing here writes
/// after the seed, so every count below is exact.
/// </summary>
public sealed class AnomalyQueryTests(AnomalyQueryTests.Fixture fixture) : IClassFixture<AnomalyQueryTests.Fixture>
{
    /// <summary>Card-testing bursts of two accounts at the same minutes (ties on time), one hour after T0.</summary>
    private static readonly DateTimeOffset Burst = Tx.T0.AddHours(1);

    private const int BurstLength = 20;
    private const int Anomalies = 2 * (BurstLength - 9) + 2 + 1;

    private readonly ApiHost _host = fixture.Host;

    private HttpClient Http => _host.Http;

    [Fact]
    public async Task The_burst_is_listed_newest_first_with_reasons_and_nothing_else_is()
    {
        var page = await Http.OkJsonAsync("anomalies?limit=500");

        Assert.Null(page["nextCursor"]);
        var expected = Tx.CardTestingAnomalies("ca", BurstLength).Concat(Tx.CardTestingAnomalies("cb", BurstLength)).Concat(["ta-x", "tb-x", "va-9"]);
        Assert.Equal(expected.Order(StringComparer.Ordinal), page.Ids().Order(StringComparer.Ordinal));
        Assert.Equal(Fixture.NewestFirst(page.Items()), page.Ids());
        Assert.Equal(["ta-x", "va-9", "cb-19", "ca-19"], page.Ids().Take(4));

        var top = page.Items().Single(a => a.Str("transactionId") == "ca-19");
        Assert.Equal("open", top.Str("status"));
        Assert.Equal("high", top.Str("severity"));
        Assert.Equal("acct-ca", top.Str("accountId"));
        Assert.Equal("m-tester-ca", top.Str("merchantId"));
        Assert.Equal(1.00m, top["amount"]!.GetValue<decimal>());
        var reasons = top["reasons"]!.AsArray().Select(r => r!).ToList();
        Assert.Equal(["CARD_TESTING", "VELOCITY"], reasons.Select(r => r.Str("code")));
        Assert.All(reasons, r => Assert.False(string.IsNullOrWhiteSpace(r.Str("detail"))));
        Assert.InRange(reasons.Sum(r => r["weight"]!.GetValue<double>()), 0.99, 1.0001);
        Assert.All(page.Items(), a => Assert.InRange(a["score"]!.GetValue<double>(), 0.5, 1));
    }

    [Theory]
    [InlineData("critical", "ta-x,tb-x")]
    [InlineData("medium,critical", "ta-x,tb-x,va-9")]
    [InlineData(" Critical , MEDIUM ", "ta-x,tb-x,va-9")]
    [InlineData("low", "")]
    public async Task Severity_filter_takes_a_comma_list(string severity, string expected)
    {
        var page = await Http.OkJsonAsync($"anomalies?limit=500&severity={Uri.EscapeDataString(severity)}");

        Assert.Equal(expected.Split(',', StringSplitOptions.RemoveEmptyEntries), page.Ids().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Severity_high_selects_the_card_testing_bursts()
    {
        var page = await Http.OkJsonAsync("anomalies?limit=500&severity=high");

        Assert.Equal(2 * (BurstLength - 9), page.Items().Count);
        Assert.All(page.Items(), a => Assert.Equal("high", a.Str("severity")));
    }

    [Fact]
    public async Task Status_filter_selects_by_review_state()
    {
        Assert.Equal(Anomalies, (await Http.OkJsonAsync("anomalies?limit=500&status=open")).Items().Count);
        Assert.Empty((await Http.OkJsonAsync("anomalies?limit=500&status=confirmed_fraud")).Items());
        Assert.Empty((await Http.OkJsonAsync("anomalies?limit=500&status=dismissed")).Items());
    }

    [Fact]
    public async Task Account_filter_selects_one_account()
    {
        var page = await Http.OkJsonAsync("anomalies?limit=500&accountId=acct-cb");

        Assert.Equal(Tx.CardTestingAnomalies("cb", BurstLength).Reverse(), page.Ids());
        Assert.Empty((await Http.OkJsonAsync("anomalies?accountId=acct-nobody")).Items());
        Assert.Empty((await Http.OkJsonAsync("anomalies?accountId=acct-quiet-1")).Items());
    }

    [Fact]
    public async Task Time_window_is_from_inclusive_to_exclusive_on_the_transaction_time()
    {
        var from = Uri.EscapeDataString(Tx.Iso(Burst.AddMinutes(9)));
        var to = Uri.EscapeDataString(Tx.Iso(Burst.AddMinutes(12)));

        var page = await Http.OkJsonAsync($"anomalies?limit=500&from={from}&to={to}");

        Assert.Equal(["cb-11", "ca-11", "cb-10", "ca-10", "cb-9", "ca-9"], page.Ids());

        var before = await Http.OkJsonAsync($"anomalies?limit=500&to={Uri.EscapeDataString(Tx.Iso(Tx.T0))}");
        Assert.Equal(["tb-x"], before.Ids());
        var after = await Http.OkJsonAsync($"anomalies?limit=500&from={Uri.EscapeDataString(Tx.Iso(Tx.T0.AddHours(3)))}");
        Assert.Equal(["ta-x"], after.Ids());
    }

    [Theory]
    [InlineData("0.9", 2)]
    [InlineData("0.7", Anomalies - 1)]
    [InlineData("0.5", Anomalies)]
    [InlineData("0.95", 0)]
    public async Task Min_score_filter_is_inclusive(string minScore, int count)
    {
        var page = await Http.OkJsonAsync($"anomalies?limit=500&minScore={minScore}");

        Assert.Equal(count, page.Items().Count);
        Assert.All(page.Items(), a => Assert.True(a["score"]!.GetValue<double>() >= double.Parse(minScore, CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Filters_combine_with_and()
    {
        var from = Uri.EscapeDataString(Tx.Iso(Burst.AddMinutes(15)));
        var page = await Http.OkJsonAsync($"anomalies?severity=high,critical&status=open&accountId=acct-ca&from={from}&minScore=0.7&limit=500");

        Assert.Equal(["ca-19", "ca-18", "ca-17", "ca-16", "ca-15"], page.Ids());
    }

    [Theory]
    [InlineData("severity=bogus", "severity")]
    [InlineData("status=closed", "status")]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2026-13-01", "to")]
    [InlineData("from=2026-03-02T10:00:00Z&to=2026-03-02T09:00:00Z", "to")]
    [InlineData("minScore=1.5", "minScore")]
    [InlineData("minScore=abc", "minScore")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    public async Task A_bad_query_parameter_is_a_400_naming_it(string query, string parameter)
    {
        using var response = await Http.GetAsync($"anomalies?{query}");

        var errors = HttpAssert.Errors(await HttpAssert.StatusAsync(HttpStatusCode.BadRequest, response));
        Assert.Equal([parameter], errors.Keys);
    }

    [Fact]
    public async Task The_default_page_is_50_and_the_largest_500()
    {
        Assert.Equal(Anomalies, (await Http.OkJsonAsync("anomalies")).Items().Count);
        Assert.Equal(Anomalies, (await Http.OkJsonAsync("anomalies?limit=500")).Items().Count);
        var one = await Http.OkJsonAsync("anomalies?limit=1");
        Assert.Equal(["ta-x"], one.Ids());
        Assert.NotNull(one["nextCursor"]);
    }

    [Theory]
    [InlineData("", 1)]
    [InlineData("", 4)]
    [InlineData("", Anomalies - 1)]
    [InlineData("&severity=high", 5)]
    [InlineData("&accountId=acct-ca", 3)]
    public async Task Keyset_paging_visits_every_anomaly_once_in_order(string filter, int limit)
    {
        var all = (await Http.OkJsonAsync($"anomalies?limit=500{filter}")).Ids();

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Http.OkJsonAsync($"anomalies?limit={limit}{filter}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
            pages++;
            Assert.InRange(page.Items().Count, 1, limit);
            seen.AddRange(page.Ids());
            cursor = page["nextCursor"]?.GetValue<string>();
            Assert.True(pages <= all.Count + 1, "paging does not end");
        }
        while (cursor is not null);

        Assert.Equal(all, seen);
        Assert.Equal((all.Count + limit - 1) / limit, pages);
    }

    [Fact]
    public async Task An_anomaly_is_read_by_id_with_a_stable_ETag()
    {
        using var first = await Http.GetAsync("anomalies/ca-19");
        var anomaly = (await HttpAssert.StatusAsync(HttpStatusCode.OK, first))!;
        var etag = first.Headers.ETag;

        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.Matches("^\"[0-9a-f]+\"$", etag.Tag);
        Assert.Equal("ca-19", anomaly.Str("transactionId"));
        Assert.Equal("acct-ca", anomaly.Str("accountId"));
        Assert.Equal("open", anomaly.Str("status"));
        Assert.Equal("high", anomaly.Str("severity"));
        Assert.Equal(Burst.AddMinutes(19), DateTimeOffset.Parse(anomaly.Str("timestamp"), CultureInfo.InvariantCulture));
        Assert.Equal(2, anomaly["reasons"]!.AsArray().Count);

        using var again = await Http.GetAsync("anomalies/ca-19");
        await HttpAssert.StatusAsync(HttpStatusCode.OK, again);
        Assert.Equal(etag, again.Headers.ETag);

        // The ledger's view of the same transaction carries the same tag.
        using var asTransaction = await Http.GetAsync("transactions/ca-19");
        var scored = (await HttpAssert.StatusAsync(HttpStatusCode.OK, asTransaction))!;
        Assert.Equal(etag, asTransaction.Headers.ETag);
        Assert.Equal("open", scored.Str("status"));
    }

    [Theory]
    [InlineData("ca-0")]
    [InlineData("quiet-1")]
    [InlineData("no-such-id")]
    public async Task A_transaction_that_is_not_an_anomaly_is_404_at_anomalies(string id)
    {
        using var response = await Http.GetAsync($"anomalies/{id}");

        HttpAssert.IsProblem(await HttpAssert.StatusAsync(HttpStatusCode.NotFound, response), HttpStatusCode.NotFound);
        Assert.Null(response.Headers.ETag);
    }

    [Fact]
    public async Task A_scored_transaction_below_the_threshold_is_readable_without_review_fields()
    {
        using var response = await Http.GetAsync("transactions/ca-0");

        var scored = (await HttpAssert.StatusAsync(HttpStatusCode.OK, response))!;
        Assert.Equal("none", scored.Str("severity"));
        Assert.Null(scored["status"]);
        Assert.Null(response.Headers.ETag);
    }

    [Fact]
    public async Task Stats_count_everything_scored_by_severity_and_status()
    {
        var stats = await Http.OkJsonAsync("stats");

        Assert.Equal(fixture.Seeded, stats["transactions"]!.GetValue<long>());
        Assert.Equal(Anomalies, stats["anomalies"]!.GetValue<long>());
        var bySeverity = stats["bySeverity"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<long>());
        Assert.Equal(new Dictionary<string, long>
        {
            ["none"] = fixture.Seeded - Anomalies,
            ["low"] = 0,
            ["medium"] = 1,
            ["high"] = 2 * (BurstLength - 9),
            ["critical"] = 2,
        }, bySeverity);
        var byStatus = stats["byStatus"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<long>());
        Assert.Equal(new Dictionary<string, long> { ["open"] = Anomalies, ["confirmed_fraud"] = 0, ["false_positive"] = 0, ["dismissed"] = 0 }, byStatus);
        Assert.Equal("rules-only", stats.Str("modelVersion"));
        Assert.Equal(fixture.Seeded, stats["byModelVersion"]!["rules-only"]!.GetValue<long>());

        // The window is on scoring time: an hour from now holds nothing yet.
        var later = DateTimeOffset.UtcNow.AddHours(1);
        var empty = await Http.OkJsonAsync($"stats?from={Uri.EscapeDataString(Tx.Iso(later))}&to={Uri.EscapeDataString(Tx.Iso(later.AddHours(1)))}");
        Assert.Equal(0, empty["transactions"]!.GetValue<long>());
        // The model in use and the current rate do not depend on the window.
        Assert.Equal("rules-only", empty.Str("modelVersion"));
        Assert.InRange(empty["currentTransactionsPerSecond"]!.GetValue<double>(), 0, fixture.Seeded / 60.0);
    }

    [Theory]
    [InlineData("from=2026-03-02T10:00:00Z&to=2026-03-02T09:00:00Z")]
    [InlineData("from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z")]
    [InlineData("from=soon")]
    [InlineData("to=0001-01-01T00:00:00Z")]
    [InlineData("from=9999-12-31T00:00:00Z")]
    public async Task Stats_refuse_a_bad_window(string query)
    {
        using var response = await Http.GetAsync($"stats?{query}");

        HttpAssert.Errors(await HttpAssert.StatusAsync(HttpStatusCode.BadRequest, response));
    }

    [Fact]
    public async Task Score_answers_at_once_and_records_nothing()
    {
        var statsBefore = (await Http.OkJsonAsync("stats"))["transactions"]!.GetValue<long>();

        // The burst's next charge would be another anomaly: /score says so with its reasons.
        using (var response = await Http.PostAsync("score", Tx.Json(Tx.One("ca-20", "acct-ca", Burst.AddMinutes(20), 1.00m, "m-tester-ca"))))
        {
            var score = (await HttpAssert.StatusAsync(HttpStatusCode.OK, response))!;
            Assert.Equal("ca-20", score.Str("transactionId"));
            Assert.Equal("high", score.Str("severity"));
            Assert.True(score["isAnomaly"]!.GetValue<bool>());
            Assert.InRange(score["score"]!.GetValue<double>(), 0.75, 0.9);
            Assert.Equal(["CARD_TESTING", "VELOCITY"], score["reasons"]!.AsArray().Select(r => r!.Str("code")));
            Assert.Equal("rules-only", score.Str("modelVersion"));
        }

        // A fresh account's burst through /score only: were any folded into its profile, the later ones would score higher.
        var scores = new List<double>();
        for (var i = 0; i < 12; i++)
        {
            using var response = await Http.PostAsync("score", Tx.Json(Tx.One($"probe-{i}", "acct-probe", Burst.AddMinutes(i), 1.00m, "m-probe")));
            var score = (await HttpAssert.StatusAsync(HttpStatusCode.OK, response))!;
            Assert.False(score["isAnomaly"]!.GetValue<bool>());
            scores.Add(score["score"]!.GetValue<double>());
        }

        Assert.Single(scores.Distinct());
        foreach (var id in new[] { "ca-20", "probe-0", "probe-11" })
        {
            using var read = await Http.GetAsync($"transactions/{id}");
            await HttpAssert.StatusAsync(HttpStatusCode.NotFound, read);
        }

        Assert.Equal(BurstLength - 9, (await Http.OkJsonAsync("anomalies?accountId=acct-ca&limit=500")).Items().Count);
        Assert.Equal(statsBefore, (await Http.OkJsonAsync("stats"))["transactions"]!.GetValue<long>());
    }

    [Fact]
    public async Task Score_of_a_stored_transaction_answers_its_stored_copy()
    {
        // ca-19 is stored; scored again now, its features would include the whole burst.
        var stored = await Http.OkJsonAsync("transactions/ca-19");
        using var response = await Http.PostAsync("score", Tx.Json(Tx.One("ca-19", "acct-ca", Burst.AddMinutes(19), 1.00m, "m-tester-ca")));
        var score = (await HttpAssert.StatusAsync(HttpStatusCode.OK, response))!;

        Assert.Equal(stored["score"]!.GetValue<double>(), score["score"]!.GetValue<double>());
        Assert.Equal(stored.Str("scoredAt"), score.Str("scoredAt"));
        Assert.Equal(stored["reasons"]!.ToJsonString(), score["reasons"]!.ToJsonString());

        // Other content under a stored id is scored as what it is; the stored copy stands.
        using var other = await Http.PostAsync("score", Tx.Json(Tx.One("ca-19", "acct-ca", Burst.AddMinutes(19), 900m, "m-tester-ca")));
        var otherScore = (await HttpAssert.StatusAsync(HttpStatusCode.OK, other))!;
        Assert.NotEqual(stored.Str("scoredAt"), otherScore.Str("scoredAt"));
    }

    [Fact]
    public async Task Score_refuses_an_invalid_transaction_naming_the_field()
    {
        using var response = await Http.PostAsync("score", Tx.Raw("""{"transactionId":"s-1","accountId":"a","timestamp":"2026-03-02T09:00:00Z","amount":"ten"}"""));

        var errors = HttpAssert.Errors(await HttpAssert.StatusAsync(HttpStatusCode.BadRequest, response));
        Assert.Equal(["amount"], errors.Keys);
    }

    public sealed class Fixture : HostFixture
    {
        public long Seeded { get; private set; }

        /// <summary>The ids in the API's order: transaction time, then id, both descending.</summary>
        public static IReadOnlyList<string> NewestFirst(IEnumerable<System.Text.Json.Nodes.JsonNode> items) =>
        [
            .. items
                .OrderByDescending(a => DateTimeOffset.Parse(a.Str("timestamp"), CultureInfo.InvariantCulture))
                .ThenByDescending(a => a.Str("transactionId"), StringComparer.Ordinal)
                .Select(a => a.Str("transactionId")),
        ];

        protected override async Task SeedAsync(ApiHost host)
        {
            var all = Tx.CardTesting("ca", "acct-ca", Burst, BurstLength)
                .Concat(Tx.CardTesting("cb", "acct-cb", Burst, BurstLength))
                .Concat(Tx.ImpossibleTravel("ta", "acct-ta", Tx.T0.AddHours(3)))
                .Concat(Tx.ImpossibleTravel("tb", "acct-tb", Tx.T0.AddDays(-1)))
                .Concat(Tx.VelocityNewDevice("va", "acct-va", Tx.T0.AddHours(2)))
                .Concat(Enumerable.Range(0, 10).Select(i => Tx.Quiet($"quiet-{i}", $"acct-quiet-{i}", Tx.T0.AddMinutes(i))))
                .ToList();
            using var response = await host.Http.PostAsync("transactions", Tx.Json(all));
            Assert.Equal(all.Count, (await HttpAssert.StatusAsync(HttpStatusCode.Accepted, response))!["accepted"]!.GetValue<int>());
            Seeded = all.Count;
        }
    }
}
