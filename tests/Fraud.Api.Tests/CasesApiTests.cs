using System.Net;
using System.Text.Json.Nodes;
using Fraud.Api.Tests.Infrastructure;

namespace Fraud.Api.Tests;

/// <summary>
/// Cases on the embedded runtime, end to end: a burst's alerts become one case of its account, with
/// the account's timeline and the full history of who did what; assignment, notes, the verdict
/// applied to the case's open alerts, bulk actions, the queue's order and filters, and clear
/// errors. Each test uses accounts of its own.
/// </summary>
public sealed class CasesApiTests(CasesApiTests.Fixture fixture) : IClassFixture<CasesApiTests.Fixture>
{
    private readonly ApiHost _host = fixture.Host;

    private HttpClient Http => _host.Http;

    [Fact]
    public async Task A_card_testing_burst_is_one_case_of_its_account_with_its_alerts_history_and_timeline()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        await PostAsync(Tx.CardTesting("cs1", "acct-cs1", Tx.T0));

        var listed = await WaitForCaseAsync("acct-cs1", alerts: 3);

        Assert.Equal("acct-cs1~1", listed.Str("caseId"));
        Assert.Equal(("open", "high"), (listed.Str("status"), listed.Str("severity")));
        var opened = DateTimeOffset.Parse(listed.Str("openedAt"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(opened, before, DateTimeOffset.UtcNow);
        Assert.Equal(opened.AddHours(4), DateTimeOffset.Parse(listed.Str("dueAt"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Tx.Iso(Tx.T0.AddMinutes(9)), Tx.Iso(DateTimeOffset.Parse(listed.Str("firstAlertAt"), System.Globalization.CultureInfo.InvariantCulture)));

        var (detail, etag) = await GetCaseAsync("acct-cs1~1");
        Assert.Equal("\"" + listed["version"]!.GetValue<long>() + "\"", etag);
        Assert.Equal(Tx.CardTestingAnomalies("cs1").Reverse(), detail["alerts"]!.AsArray().Select(a => a!.Str("transactionId")));
        var history = detail["history"]!.AsArray().Select(e => e!).Select(e => (e.Str("kind"), e["transactionId"]?.GetValue<string>(), e.Str("by"))).ToList();
        Assert.Equal([("opened", null, "system"), .. Tx.CardTestingAnomalies("cs1").Select(id => ("alert_added", (string?)id, "system"))], history);

        // The timeline is every transaction of the account, flagged or not, newest first.
        var timeline = await Http.OkJsonAsync("cases/acct-cs1~1/timeline");
        var entries = timeline["transactions"]!.AsArray().Select(t => t!).ToList();
        Assert.Equal([.. Enumerable.Range(0, 12).Reverse().Select(i => $"cs1-{i}"), "cs1-h1", "cs1-h2", "cs1-h3"], entries.Select(e => e["transaction"]!.Str("transactionId")));
        Assert.Equal([.. Enumerable.Repeat(true, 3), .. Enumerable.Repeat(false, 12)], entries.Select(e => e["alert"]!.GetValue<bool>()));
        Assert.Equal("open", entries[0].Str("status"));
        Assert.Null(entries[3]["status"]);
        Assert.False(timeline["truncated"]!.GetValue<bool>());
        Assert.Equal(5, (await Http.OkJsonAsync("cases/acct-cs1~1/timeline?limit=5"))["transactions"]!.AsArray().Count);
    }

    [Fact]
    public async Task Assignment_notes_and_the_verdict_are_recorded_with_who_and_the_verdict_reviews_each_open_alert()
    {
        await PostAsync(Tx.CardTesting("cs2", "acct-cs2", Tx.T0));
        await WaitForCaseAsync("acct-cs2", alerts: 3);

        // One alert reviewed alone before the verdict keeps its review.
        using (var read = await Http.GetAsync("anomalies/cs2-9"))
        using (var alone = await SendAsync(HttpMethod.Patch, "anomalies/cs2-9", new JsonObject { ["status"] = "false_positive", ["reviewedBy"] = "carol" }, read.Headers.ETag!.ToString()))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.OK, alone);
        }

        var assigned = await OkAsync("cases/acct-cs2~1/assign", new JsonObject { ["assignee"] = "alice" });
        Assert.Equal("alice", assigned["case"]!.Str("assignedTo"));
        Assert.Equal("alice", (await Http.OkJsonAsync("cases?assignedTo=alice&accountId=acct-cs2")).Items().Single().Str("assignedTo"));
        await OkAsync("cases/acct-cs2~1/notes", new JsonObject { ["note"] = "called the customer" });

        var verdict = await OkAsync("cases/acct-cs2~1/verdict", new JsonObject { ["status"] = "confirmed_fraud", ["note"] = "card stolen" });

        Assert.Equal(2, verdict["alertsReviewed"]!.GetValue<int>());
        var closed = verdict["case"]!;
        Assert.Equal(("closed", "confirmed_fraud", "local", "card stolen"), (closed.Str("status"), closed.Str("verdict"), closed.Str("closedBy"), closed.Str("note")));
        Assert.Equal("false_positive", (await Http.OkJsonAsync("anomalies/cs2-9")).Str("status"));
        foreach (var id in new[] { "cs2-10", "cs2-11" })
        {
            var alert = await Http.OkJsonAsync($"anomalies/{id}");
            Assert.Equal(("confirmed_fraud", "local", "card stolen"), (alert.Str("status"), alert.Str("reviewedBy"), alert.Str("note")));
            Assert.Equal(1L, _host.LedgerScalar($"SELECT label FROM scored_transactions WHERE transaction_id = '{id}'"));
        }

        var (detail, _) = await GetCaseAsync("acct-cs2~1");
        var history = detail["history"]!.AsArray().Select(e => e!).Select(e => $"{e.Str("kind")} {e.Str("by")} {e["transactionId"]?.GetValue<string>()} {e["value"]?.GetValue<string>()}".TrimEnd()).ToList();
        Assert.Equal(
            [
                "opened system  high", "alert_added system cs2-9 high", "alert_added system cs2-10 high", "alert_added system cs2-11 high",
                "alert_reviewed carol cs2-9 false_positive", "assigned local  alice", "noted local",
                "alert_reviewed local cs2-10 confirmed_fraud", "alert_reviewed local cs2-11 confirmed_fraud", "closed local  confirmed_fraud",
            ],
            history);

        // A closed case takes notes, not a second verdict or an assignment.
        using (var again = await SendAsync(HttpMethod.Post, "cases/acct-cs2~1/verdict", new JsonObject { ["status"] = "dismissed" }))
        {
            HttpAssert.IsProblem(await HttpAssert.StatusAsync(HttpStatusCode.Conflict, again), HttpStatusCode.Conflict);
        }

        await OkAsync("cases/acct-cs2~1/notes", new JsonObject { ["note"] = "chargeback filed" });
    }

    [Fact]
    public async Task Alerts_after_the_verdict_open_the_accounts_next_case()
    {
        await PostAsync(Tx.CardTesting("cs3", "acct-cs3", Tx.T0));
        await WaitForCaseAsync("acct-cs3", alerts: 3);
        await OkAsync("cases/acct-cs3~1/verdict", new JsonObject { ["status"] = "dismissed" });

        await PostAsync(Tx.ImpossibleTravel("cs3t", "acct-cs3", Tx.T0.AddDays(10)));

        // Ten days later, in another country on a new device: the charge and the one 30 minutes later alert.
        var next = await WaitForCaseAsync("acct-cs3", alerts: 2, status: "open");
        Assert.Equal(("acct-cs3~2", "critical"), (next.Str("caseId"), next.Str("severity")));
        Assert.Equal(2, (await Http.OkJsonAsync("cases?accountId=acct-cs3")).Items().Count);
    }

    [Fact]
    public async Task The_queue_puts_the_earliest_deadline_first_and_filters_by_severity_and_assignment()
    {
        await PostAsync([.. Tx.CardTesting("cs4", "acct-cs4", Tx.T0), .. Tx.ImpossibleTravel("cs5", "acct-cs5", Tx.T0)]);
        await WaitForCaseAsync("acct-cs4", alerts: 3);
        await WaitForCaseAsync("acct-cs5", alerts: 1);

        var queue = (await Http.OkJsonAsync("cases?status=open&limit=500")).Items().Select(c => c.Str("accountId")).ToList();
        Assert.True(queue.IndexOf("acct-cs5") < queue.IndexOf("acct-cs4"), "the critical case (due in 1 h) comes before the high one (4 h)");
        var critical = (await Http.OkJsonAsync("cases?severity=critical&status=open&limit=500")).Items().Select(c => c.Str("accountId")).ToList();
        Assert.Contains("acct-cs5", critical);
        Assert.DoesNotContain("acct-cs4", critical);
        await OkAsync("cases/acct-cs4~1/assign", new JsonObject { ["assignee"] = "dave" });
        Assert.DoesNotContain("acct-cs4", (await Http.OkJsonAsync("cases?unassigned=true&limit=500")).Items().Select(c => c.Str("accountId")));
        Assert.Contains("acct-cs5", (await Http.OkJsonAsync("cases?unassigned=true&limit=500")).Items().Select(c => c.Str("accountId")));

        // Keyset pages cover the queue once each.
        var paged = new List<string>();
        for (string? cursor = null, first = "cases?status=open&limit=1"; ;)
        {
            var page = await Http.OkJsonAsync(cursor is null ? first : $"{first}&cursor={cursor}");
            paged.AddRange(page.Items().Select(c => c.Str("caseId")));
            if ((cursor = page["nextCursor"]?.GetValue<string>()) is null)
            {
                break;
            }
        }

        Assert.Equal((await Http.OkJsonAsync("cases?status=open&limit=500")).Items().Select(c => c.Str("caseId")), paged);
    }

    [Fact]
    public async Task Bulk_actions_answer_for_each_case()
    {
        await PostAsync([.. Tx.CardTesting("cs6", "acct-cs6", Tx.T0), .. Tx.CardTesting("cs7", "acct-cs7", Tx.T0)]);
        await WaitForCaseAsync("acct-cs6", alerts: 3);
        await WaitForCaseAsync("acct-cs7", alerts: 3);

        var assigned = await OkAsync("cases/bulk", new JsonObject { ["caseIds"] = new JsonArray("acct-cs6~1", "acct-cs7~1", "acct-none~1"), ["action"] = "assign", ["assignee"] = "erin" });
        Assert.Equal(["done", "done", "not_found"], assigned["results"]!.AsArray().Select(r => r!.Str("outcome")));

        var closed = await OkAsync("cases/bulk", new JsonObject { ["caseIds"] = new JsonArray("acct-cs6~1", "acct-cs7~1"), ["action"] = "verdict", ["status"] = "false_positive" });
        Assert.Equal([3, 3], closed["results"]!.AsArray().Select(r => r!["alertsReviewed"]!.GetValue<int>()));
        Assert.All(closed["results"]!.AsArray().Select(r => r!), r => Assert.Equal(("done", "closed", "erin"), (r.Str("outcome"), r["case"]!.Str("status"), r["case"]!.Str("assignedTo"))));

        var again = await OkAsync("cases/bulk", new JsonObject { ["caseIds"] = new JsonArray("acct-cs6~1"), ["action"] = "verdict", ["status"] = "dismissed" });
        Assert.Equal("closed", again["results"]![0]!.Str("outcome"));
    }

    [Fact]
    public async Task A_stale_If_Match_is_412_and_bad_input_is_400_naming_the_field_and_changes_nothing()
    {
        await PostAsync(Tx.CardTesting("cs8", "acct-cs8", Tx.T0));
        await WaitForCaseAsync("acct-cs8", alerts: 3);
        var (_, etag) = await GetCaseAsync("acct-cs8~1");
        await OkAsync("cases/acct-cs8~1/notes", new JsonObject { ["note"] = "first look" }, etag);

        using (var stale = await SendAsync(HttpMethod.Post, "cases/acct-cs8~1/assign", new JsonObject { ["assignee"] = "frank" }, etag))
        {
            HttpAssert.IsProblem(await HttpAssert.StatusAsync(HttpStatusCode.PreconditionFailed, stale), HttpStatusCode.PreconditionFailed);
            Assert.NotEqual(etag, stale.Headers.ETag!.ToString());
        }

        foreach (var (path, body, ifMatch, field) in new (string, JsonObject, string?, string)[]
        {
            ("cases/acct-cs8~1/verdict", new JsonObject { ["status"] = "open" }, null, "status"),
            ("cases/acct-cs8~1/verdict", new JsonObject { ["status"] = "stolen" }, null, "status"),
            ("cases/acct-cs8~1/assign", new JsonObject { ["assignee"] = "a\u0001b" }, null, "assignee"),
            ("cases/acct-cs8~1/notes", new JsonObject { ["note"] = "" }, null, "note"),
            ("cases/acct-cs8~1/notes", new JsonObject { ["note"] = "x" }, "\"nonsense\"", "If-Match"),
            ("cases/not-a-case/notes", new JsonObject { ["note"] = "x" }, null, "id"),
            ("cases/bulk", new JsonObject { ["caseIds"] = new JsonArray(), ["action"] = "assign" }, null, "caseIds"),
            ("cases/bulk", new JsonObject { ["caseIds"] = new JsonArray("acct-cs8~1"), ["action"] = "close" }, null, "action"),
        })
        {
            using var response = await SendAsync(HttpMethod.Post, path, body, ifMatch);
            var errors = HttpAssert.Errors(await HttpAssert.StatusAsync(HttpStatusCode.BadRequest, response));
            Assert.True(errors.ContainsKey(field), $"{path} {body.ToJsonString()}: errors name {string.Join(", ", errors.Keys)}, not {field}");
        }

        using (var missing = await SendAsync(HttpMethod.Post, "cases/acct-cs8~9/notes", new JsonObject { ["note"] = "x" }))
        {
            HttpAssert.IsProblem(await HttpAssert.StatusAsync(HttpStatusCode.NotFound, missing), HttpStatusCode.NotFound);
        }

        var (after, _) = await GetCaseAsync("acct-cs8~1");
        Assert.Equal(("open", null), (after["case"]!.Str("status"), after["case"]!["assignedTo"]?.GetValue<string>()));
        Assert.Equal(2, HttpAssert.Errors(await HttpAssert.StatusAsync(HttpStatusCode.BadRequest, await Http.GetAsync("cases?status=pending&limit=0"))).Count);
    }

    // ----- helpers ----------------------------------------------------------------------------

    private async Task PostAsync(IEnumerable<JsonObject> transactions)
    {
        using var response = await Http.PostAsync("transactions", Tx.Json(transactions));
        await HttpAssert.StatusAsync(HttpStatusCode.Accepted, response);
    }

    /// <summary>The account's newest case once intake has filed <paramref name="alerts"/> alerts into it.</summary>
    private async Task<JsonNode> WaitForCaseAsync(string account, int alerts, string? status = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var items = (await Http.OkJsonAsync($"cases?accountId={account}{(status is null ? "" : "&status=" + status)}")).Items();
            if (items.FirstOrDefault(c => c["alerts"]!.GetValue<int>() == alerts) is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no case of {account} with {alerts} alerts after 20 s: {string.Join(", ", items.Select(i => i.ToJsonString()))}");
            await Task.Delay(100);
        }
    }

    private async Task<(JsonNode Detail, string ETag)> GetCaseAsync(string id)
    {
        using var response = await Http.GetAsync($"cases/{id}");
        return ((await HttpAssert.StatusAsync(HttpStatusCode.OK, response))!, response.Headers.ETag!.ToString());
    }

    private async Task<JsonNode> OkAsync(string path, JsonObject body, string? ifMatch = null)
    {
        using var response = await SendAsync(HttpMethod.Post, path, body, ifMatch);
        return (await HttpAssert.StatusAsync(HttpStatusCode.OK, response))!;
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, JsonObject body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = Tx.Json(body) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return Http.SendAsync(request);
    }

    public sealed class Fixture : HostFixture
    {
        protected override string[] Settings => ["Fraud:Cases:IntakeInterval=00:00:00.100"];
    }
}
