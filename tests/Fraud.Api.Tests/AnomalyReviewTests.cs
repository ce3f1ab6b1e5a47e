using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Fraud.Api.Tests.Infrastructure;

namespace Fraud.Api.Tests;

/// <summary>
/// Reviewing anomalies with optimistic concurrency: If-Match is required (428), a stale tag is a 412,
/// the current one applies the review (200 and a new tag), and a verdict becomes a label in the ledger.
/// Each test reviews anomalies of its own.
/// </summary>
public sealed class AnomalyReviewTests(AnomalyReviewTests.Fixture fixture) : IClassFixture<AnomalyReviewTests.Fixture>
{
    private const int BurstLength = 20;

    private readonly ApiHost _host = fixture.Host;

    private HttpClient Http => _host.Http;

    [Fact]
    public async Task A_review_without_If_Match_is_428_and_changes_nothing()
    {
        var (before, etag) = await GetAsync("ra-9");

        using var response = await PatchAsync("ra-9", new JsonObject { ["status"] = "confirmed_fraud" }, ifMatch: null);

        HttpAssert.IsProblem(await HttpAssert.StatusAsync(HttpStatusCode.PreconditionRequired, response), HttpStatusCode.PreconditionRequired);
        var (after, etagAfter) = await GetAsync("ra-9");
        Assert.Equal(etag, etagAfter);
        Assert.Equal("open", after.Str("status"));
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
    }

    [Theory]
    [InlineData("\"…\"")] // a placeholder pasted as it is (sent as UTF-8, as curl does)
    [InlineData("\"...\"")]
    [InlineData("\"abc\"")]
    [InlineData("1234567890abcdef")] // a tag without its quotes
    public async Task An_If_Match_that_is_no_ETag_of_this_API_is_400_naming_it_not_a_412(string ifMatch)
    {
        var (before, _) = await GetAsync("ra-17");
        using var request = new HttpRequestMessage(HttpMethod.Patch, "anomalies/ra-17") { Content = Tx.Json(new JsonObject { ["status"] = "dismissed" }) };
        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        using var utf8 = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.UTF8 }) { BaseAddress = _host.BaseAddress };

        using var response = await utf8.SendAsync(request);

        var errors = HttpAssert.Errors(await HttpAssert.StatusAsync(HttpStatusCode.BadRequest, response));
        Assert.Contains("is not an ETag this API issued", errors["If-Match"][0], StringComparison.Ordinal);
        var (after, _) = await GetAsync("ra-17");
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
    }

    [Fact]
    public async Task A_review_with_the_current_ETag_applies_labels_the_ledger_and_a_stale_ETag_is_412()
    {
        var (_, etag) = await GetAsync("ra-10");
        var started = DateTimeOffset.UtcNow.AddSeconds(-1);

        using var confirm = await PatchAsync("ra-10", new JsonObject { ["status"] = "confirmed_fraud", ["note"] = "customer confirmed: card stolen" }, etag);

        var confirmed = (await HttpAssert.StatusAsync(HttpStatusCode.OK, confirm))!;
        var newTag = confirm.Headers.ETag;
        Assert.NotNull(newTag);
        Assert.NotEqual(etag, newTag);
        Assert.Equal("confirmed_fraud", confirmed.Str("status"));
        Assert.Equal("customer confirmed: card stolen", confirmed.Str("note"));
        Assert.Equal("local", confirmed.Str("reviewedBy"));
        Assert.InRange(DateTimeOffset.Parse(confirmed.Str("reviewedAt"), System.Globalization.CultureInfo.InvariantCulture), started, DateTimeOffset.UtcNow.AddSeconds(1));

        // Read back: the same state and the same tag, from the API and from the ledger.
        var (read, readTag) = await GetAsync("ra-10");
        Assert.Equal(newTag, readTag);
        Assert.Equal("confirmed_fraud", read.Str("status"));
        Assert.Equal(1L, _host.LedgerScalar("SELECT label FROM scored_transactions WHERE transaction_id = 'ra-10'"));
        Assert.NotNull(_host.LedgerScalar("SELECT label_seq FROM scored_transactions WHERE transaction_id = 'ra-10'"));
        Assert.Equal("local", _host.LedgerScalar("SELECT reviewed_by FROM scored_transactions WHERE transaction_id = 'ra-10'"));
        Assert.Contains("ra-10", (await Http.OkJsonAsync("anomalies?status=confirmed_fraud&accountId=acct-ra&limit=500")).Ids());
        Assert.DoesNotContain("ra-10", (await Http.OkJsonAsync("anomalies?status=open&accountId=acct-ra&limit=500")).Ids());

        // The current tag made weak is refused: If-Match compares strongly (RFC 9110, 13.1.1).
        using (var weak = await PatchAsync("ra-10", new JsonObject { ["status"] = "dismissed" }, new EntityTagHeaderValue(newTag!.Tag, isWeak: true)))
        {
            HttpAssert.IsProblem(await HttpAssert.StatusAsync(HttpStatusCode.PreconditionFailed, weak), HttpStatusCode.PreconditionFailed);
        }

        // Someone who read it before the review is refused and told the current tag.
        using var stale = await PatchAsync("ra-10", new JsonObject { ["status"] = "dismissed" }, etag);
        HttpAssert.IsProblem(await HttpAssert.StatusAsync(HttpStatusCode.PreconditionFailed, stale), HttpStatusCode.PreconditionFailed);
        Assert.Equal(newTag, stale.Headers.ETag);
        Assert.Equal("confirmed_fraud", (await GetAsync("ra-10")).Anomaly.Str("status"));

        // With the current tag the verdict can be changed, and the label follows it.
        using var overturn = await PatchAsync("ra-10", new JsonObject { ["status"] = "false_positive" }, newTag);
        var overturned = (await HttpAssert.StatusAsync(HttpStatusCode.OK, overturn))!;
        Assert.Equal("false_positive", overturned.Str("status"));
        Assert.Equal("customer confirmed: card stolen", overturned.Str("note")); // a review without a note keeps it
        Assert.Equal(0L, _host.LedgerScalar("SELECT label FROM scored_transactions WHERE transaction_id = 'ra-10'"));
    }

    [Fact]
    public async Task A_false_positive_makes_its_device_and_country_the_accounts_own_at_once()
    {
        var at = Tx.T0.AddDays(30);
        using (var seed = await Http.PostAsync("transactions", Tx.Json(Tx.ImpossibleTravel("fpv", "acct-fpv", at))))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.Accepted, seed);
        }

        // Ten minutes later, the same device in the same country (no travel: the location is left out).
        var probe = Tx.One("fpv-probe", "acct-fpv", at.AddMinutes(10), 60m, "m-far", "d-new", "BR");
        async Task<List<string>> CodesAsync()
        {
            using var score = await Http.PostAsync("score", Tx.Json(probe));
            return [.. (await HttpAssert.StatusAsync(HttpStatusCode.OK, score))!["reasons"]!.AsArray().Select(r => r!.Str("code"))];
        }

        Assert.Contains("NEW_DEVICE_AND_COUNTRY", await CodesAsync());
        var (_, etag) = await GetAsync("fpv-x");
        using (var review = await PatchAsync("fpv-x", new JsonObject { ["status"] = "false_positive" }, etag))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.OK, review);
        }

        var after = await CodesAsync();
        Assert.DoesNotContain(after, c => c is "NEW_DEVICE_AND_COUNTRY" or "NEW_DEVICE" or "NEW_COUNTRY");
    }

    [Fact]
    public async Task Dismissing_records_no_label_and_reviewedBy_may_be_given()
    {
        var (_, etag) = await GetAsync("ra-11");

        using var response = await PatchAsync("ra-11", new JsonObject { ["status"] = "dismissed", ["reviewedBy"] = "bob" }, etag);

        var dismissed = (await HttpAssert.StatusAsync(HttpStatusCode.OK, response))!;
        Assert.Equal("dismissed", dismissed.Str("status"));
        Assert.Equal("bob", dismissed.Str("reviewedBy"));
        Assert.Null(_host.LedgerScalar("SELECT label FROM scored_transactions WHERE transaction_id = 'ra-11'"));
        Assert.Contains("ra-11", (await Http.OkJsonAsync("anomalies?status=dismissed&limit=500")).Ids());
    }

    [Fact]
    public async Task Reopening_a_dismissed_anomaly_puts_it_back_in_the_open_queue()
    {
        var (_, etag) = await GetAsync("ra-12");
        using (var dismiss = await PatchAsync("ra-12", new JsonObject { ["status"] = "dismissed" }, etag))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.OK, dismiss);
            etag = dismiss.Headers.ETag!;
        }

        using var reopen = await PatchAsync("ra-12", new JsonObject { ["status"] = "open", ["note"] = "needs a second look" }, etag);

        Assert.Equal("open", (await HttpAssert.StatusAsync(HttpStatusCode.OK, reopen))!.Str("status"));
        Assert.Contains("ra-12", (await Http.OkJsonAsync("anomalies?status=open&accountId=acct-ra&limit=500")).Ids());
    }

    [Fact]
    public async Task Of_concurrent_reviews_with_the_same_ETag_exactly_one_wins()
    {
        var (_, etag) = await GetAsync("ra-13");
        var statuses = new[] { "confirmed_fraud", "false_positive", "dismissed", "confirmed_fraud", "false_positive", "dismissed" };

        var responses = await Task.WhenAll(statuses.Select(s => PatchAsync("ra-13", new JsonObject { ["status"] = s }, etag)));
        try
        {
            Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
            Assert.Equal(statuses.Length - 1, responses.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed));
            var winner = responses.Single(r => r.StatusCode == HttpStatusCode.OK);
            var (current, currentTag) = await GetAsync("ra-13");
            Assert.Equal(winner.Headers.ETag, currentTag);
            Assert.All(responses, r => Assert.Equal(currentTag, r.Headers.ETag));
            Assert.Contains(current.Str("status"), statuses);
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    [Fact]
    public async Task If_Match_star_reviews_whatever_the_current_state()
    {
        using var response = await PatchAsync("ra-14", new JsonObject { ["status"] = "false_positive" }, EntityTagHeaderValue.Any);

        Assert.Equal("false_positive", (await HttpAssert.StatusAsync(HttpStatusCode.OK, response))!.Str("status"));
        Assert.Equal(0L, _host.LedgerScalar("SELECT label FROM scored_transactions WHERE transaction_id = 'ra-14'"));
    }

    [Theory]
    [InlineData("no-such-anomaly")]
    [InlineData("ra-0")]
    public async Task Reviewing_an_unknown_anomaly_is_404(string id)
    {
        using var response = await PatchAsync(id, new JsonObject { ["status"] = "confirmed_fraud" }, new EntityTagHeaderValue("\"0123456789abcdef\""));

        HttpAssert.IsProblem(await HttpAssert.StatusAsync(HttpStatusCode.NotFound, response), HttpStatusCode.NotFound);
        Assert.Null(_host.LedgerScalar("SELECT label FROM scored_transactions WHERE transaction_id = @id", ("@id", id)));
    }

    [Theory]
    [InlineData("""{"status":"maybe"}""", "status")]
    [InlineData("""{"status":3}""", "status")]
    [InlineData("""{"note":"no status"}""", "status")]
    [InlineData("""{"status":"dismissed","reviewedBy":""}""", "reviewedBy")]
    [InlineData("""{"status":"dismissed","note":LONG}""", "note")]
    [InlineData("""not json""", "$")]
    [InlineData("""null""", "$")]
    public async Task A_bad_review_is_400_naming_the_field_and_changes_nothing(string body, string field)
    {
        var (_, etag) = await GetAsync("rb-9");
        body = body.Replace("LONG", new JsonArray(new string('x', 2001)).ToJsonString()[1..^1], StringComparison.Ordinal);

        using var request = new HttpRequestMessage(HttpMethod.Patch, "anomalies/rb-9") { Content = Tx.Raw(body) };
        request.Headers.IfMatch.Add(etag);
        using var response = await Http.SendAsync(request);

        var errors = HttpAssert.Errors(await HttpAssert.StatusAsync(HttpStatusCode.BadRequest, response));
        Assert.Equal([field], errors.Keys);
        var (after, etagAfter) = await GetAsync("rb-9");
        Assert.Equal(etag, etagAfter);
        Assert.Equal("open", after.Str("status"));
    }

    [Fact]
    public async Task A_resent_anomaly_does_not_undo_its_review()
    {
        var etag = await ConfirmAsync("ra-15");

        // The producer resends the transaction (it missed the 202).
        using (var resend = await Http.PostAsync("transactions", Tx.Json([Tx.One("ra-15", "acct-ra", Tx.T0.AddMinutes(15), 1.00m, "m-tester-ra")])))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.Accepted, resend);
        }

        await AssertStillConfirmedAsync("ra-15", etag);
    }

    [Fact]
    public async Task A_resent_batch_does_not_undo_the_reviews_of_its_anomalies()
    {
        var etag = await ConfirmAsync("rb-16");

        // The producer resends its whole batch, as a 503 tells it to: more than 16 transactions of one account.
        using (var resend = await Http.PostAsync("transactions", Tx.Json(Tx.CardTesting("rb", "acct-rb", Tx.T0.AddHours(2), BurstLength))))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.Accepted, resend);
        }

        await AssertStillConfirmedAsync("rb-16", etag);
    }

    private async Task<EntityTagHeaderValue> ConfirmAsync(string id)
    {
        var (_, etag) = await GetAsync(id);
        using var confirm = await PatchAsync(id, new JsonObject { ["status"] = "confirmed_fraud" }, etag);
        await HttpAssert.StatusAsync(HttpStatusCode.OK, confirm);
        return confirm.Headers.ETag!;
    }

    private async Task AssertStillConfirmedAsync(string id, EntityTagHeaderValue etag)
    {
        var ledger = _host.LedgerScalar("SELECT status FROM scored_transactions WHERE transaction_id = @id", ("@id", id));
        var (after, etagAfter) = await GetAsync(id);
        Assert.True(after.Str("status") == "confirmed_fraud",
            $"GET anomalies/{id} says '{after.Str("status")}' after the resend while the ledger keeps status {ledger} (1 = confirmed_fraud): "
            + "the redelivery overwrote the reviewed anomaly in the anomaly state with a fresh open copy, and its ETag no longer matches the ledger's.");
        Assert.Equal(etag, etagAfter);
        using var next = await PatchAsync(id, new JsonObject { ["status"] = "confirmed_fraud", ["note"] = "still fraud" }, etagAfter);
        await HttpAssert.StatusAsync(HttpStatusCode.OK, next);
    }

    [Fact]
    public async Task Paging_neither_repeats_nor_skips_when_newer_anomalies_arrive_meanwhile()
    {
        var before = (await Http.OkJsonAsync("anomalies?limit=500&accountId=acct-rb")).Ids();
        var first = await Http.OkJsonAsync("anomalies?limit=4&accountId=acct-rb");
        var seen = first.Ids().ToList();

        // A newer burst on the same account arrives between pages.
        using (var ingest = await Http.PostAsync("transactions", Tx.Json(Tx.CardTesting("rc", "acct-rb", Tx.T0.AddHours(5), 12).Skip(3))))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.Accepted, ingest);
        }

        var cursor = first["nextCursor"]?.GetValue<string>();
        while (cursor is not null)
        {
            var page = await Http.OkJsonAsync($"anomalies?limit=4&accountId=acct-rb&cursor={Uri.EscapeDataString(cursor)}");
            seen.AddRange(page.Ids());
            cursor = page["nextCursor"]?.GetValue<string>();
        }

        Assert.Equal(before, seen);
        Assert.Contains("rc-11", (await Http.OkJsonAsync("anomalies?limit=1&accountId=acct-rb")).Ids());
    }

    private async Task<(JsonNode Anomaly, EntityTagHeaderValue ETag)> GetAsync(string id)
    {
        using var response = await Http.GetAsync($"anomalies/{id}");
        var anomaly = (await HttpAssert.StatusAsync(HttpStatusCode.OK, response))!;
        return (anomaly, response.Headers.ETag ?? throw new Xunit.Sdk.XunitException($"GET anomalies/{id} has no ETag"));
    }

    private Task<HttpResponseMessage> PatchAsync(string id, JsonObject body, EntityTagHeaderValue? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"anomalies/{id}") { Content = Tx.Json(body) };
        if (ifMatch is not null)
        {
            request.Headers.IfMatch.Add(ifMatch);
        }

        return Http.SendAsync(request);
    }

    public sealed class Fixture : HostFixture
    {
        protected override async Task SeedAsync(ApiHost host)
        {
            var all = Tx.CardTesting("ra", "acct-ra", Tx.T0, BurstLength).Concat(Tx.CardTesting("rb", "acct-rb", Tx.T0.AddHours(2), BurstLength)).ToList();
            using var response = await host.Http.PostAsync("transactions", Tx.Json(all));
            await HttpAssert.StatusAsync(HttpStatusCode.Accepted, response);
        }
    }
}
