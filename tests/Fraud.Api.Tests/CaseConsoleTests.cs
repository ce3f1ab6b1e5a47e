using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fraud.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Fraud.Api.Tests;

/// <summary>
/// The console's cases view end to end in headless Chromium: the queue in deadline order, a case
/// opened with its alerts, the account's timeline and its history, the keyboard (j/k, a, c, f),
/// where the focus goes after an action, the API's own errors (409, 412), bulk actions reported
/// case by case, filters kept in the address, and empty states that say what is true.
/// Cases are filed by case intake, polled every 100 ms here.
/// </summary>
public sealed class CaseConsoleTests(ITestOutputHelper output)
{
    private const string Intake = "Fraud:Cases:IntakeInterval=00:00:00.100";

    private const string WatchViolations =
        "window.__violations = []; document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));";

    /// <summary>The queue's rows: the case id, then each cell's text (check box, due, severity, account, alerts, max score, assignee, status, opened).</summary>
    private const string Rows =
        "JSON.stringify(Array.from(document.querySelectorAll('#cases tbody tr')).map(tr => [tr.dataset.id, ...Array.from(tr.cells).map(c => c.textContent.trim())]))";

    private const string Message = "document.getElementById('c-message').textContent";

    private const string FocusedRow = "document.activeElement && document.activeElement.closest('#cases tbody tr') ? document.activeElement.closest('tr').dataset.id : (document.activeElement ? document.activeElement.id || document.activeElement.tagName : '')";

    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    [Fact]
    public async Task An_analyst_works_the_queue_from_the_keyboard_and_sees_each_case_whole()
    {
        await using var host = await ApiHost.StartAsync(Intake);
        await PostAsync(host, [.. Tx.CardTesting("qa", "acct-qa", Tx.T0), .. Tx.ImpossibleTravel("qb", "acct-qb", Tx.T0.AddHours(1))]);
        var high = await WaitForCaseAsync(host, "acct-qa", alerts: 3);
        var critical = await WaitForCaseAsync(host, "acct-qb", alerts: 1);
        Step("api started, seeded and both cases filed");

        await using var chromium = await Chromium.StartAsync();
        var tab = await OpenAsync(chromium, new Uri(host.BaseAddress, "?view=cases"));
        await tab.SetViewportAsync(1400, 900);

        // The name for "assign to me" is remembered by the browser, across reloads.
        await tab.EvaluateAsync("const me = document.getElementById('me'); me.value = 'alice'; me.dispatchEvent(new Event('change'))");
        Assert.Equal("alice", (await tab.EvaluateAsync("localStorage.getItem('fraud.console.analystName')"))!.GetValue<string>());
        await ReloadAsync(tab);
        await tab.WaitForAsync("document.querySelectorAll('#cases tbody tr').length === 2", "the two open cases");
        Assert.Equal("alice", (await tab.EvaluateAsync("document.getElementById('me').value"))!.GetValue<string>());

        // The page alone changes the cases from here on (a colleague's change is caught by If-Match, not by a refresh).
        await tab.EvaluateAsync("const auto = document.getElementById('c-auto'); if (auto.checked) auto.click();");
        Assert.Equal("me (alice)", (await tab.EvaluateAsync("document.querySelector('#cf-assigned option[value=me]').textContent"))!.GetValue<string>());

        // The queue: the critical case (due in 1 h) before the high one (4 h), every column.
        var rows = await RowsAsync(tab);
        Assert.Equal(["acct-qb~1", "acct-qa~1"], rows.Select(r => r[0]));
        Assert.Equal(["critical", "acct-qb", "1", Score(critical), "unassigned", "open"], rows[0][3..9]);
        Assert.Equal(["high", "acct-qa", "3", Score(high), "unassigned", "open"], rows[1][3..9]);
        Assert.Matches("^due in 59 min$|^due in 1 h$", rows[0][2]);
        Assert.Matches("^due in 3 h 59 min$|^due in 4 h$", rows[1][2]);
        Assert.Equal(Utc(critical.Str("openedAt")), rows[0][9]);
        Assert.Equal(0, (await tab.EvaluateAsync("document.querySelectorAll('#anomalies tbody tr').length"))!.GetValue<int>());
        Assert.Equal("Cases", (await tab.EvaluateAsync("document.querySelector('nav.views [aria-current=page]').textContent"))!.GetValue<string>());

        // Every control of the page has an accessible name.
        var unnamed = (await tab.EvaluateAsync(
            "Array.from(document.querySelectorAll('input, select, textarea, button')).filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim()).map(e => e.outerHTML)"))!.AsArray();
        Assert.Empty(unnamed);

        // j opens the first case: its one alert, the account's timeline (the quiet days before it too), its history.
        await PressAsync(tab, "j");
        await WaitForCaseAsync(tab, "acct-qb~1", alerts: 1);
        Assert.Equal("acct-qb~1", (await tab.EvaluateAsync(FocusedRow))!.GetValue<string>());
        Assert.Equal(
            ["qb-x|alert", "qb-h0|", "qb-h1|", "qb-h2|", "qb-h3|"],
            await StringsAsync(tab, "Array.from(document.querySelectorAll('#c-timeline tbody tr')).map(tr => tr.dataset.id + '|' + (tr.classList.contains('flagged') ? 'alert' : ''))"));

        // j again: the card-testing case, three alerts, fifteen transactions of which three flagged, and who did what.
        await PressAsync(tab, "j");
        await WaitForCaseAsync(tab, "acct-qa~1", alerts: 3);
        Assert.Equal(
            ["qa-11|open", "qa-10|open", "qa-9|open"],
            await StringsAsync(tab, "Array.from(document.querySelectorAll('#c-alerts tbody tr')).map(tr => tr.dataset.id + '|' + tr.cells[3].textContent)"));
        var timeline = await StringsAsync(tab, "Array.from(document.querySelectorAll('#c-timeline tbody tr')).map(tr => tr.dataset.id + '|' + tr.cells[5].textContent)");
        Assert.Equal([.. Enumerable.Range(0, 12).Reverse().Select(i => $"qa-{i}"), "qa-h1", "qa-h2", "qa-h3"], timeline.Select(t => t.Split('|')[0]));
        Assert.Equal([.. Enumerable.Repeat("open", 3), .. Enumerable.Repeat("", 12)], timeline.Select(t => t.Split('|')[1]));
        Assert.StartsWith("15 transactions of acct-qa from ", (await tab.EvaluateAsync("document.getElementById('c-timeline-note').textContent"))!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(
            ["system opened the case (high)", "system added alert qa-9 (high)", "system added alert qa-10 (high)", "system added alert qa-11 (high)"],
            await HistoryAsync(tab));
        Assert.Equal("acct-qa~1", (await tab.EvaluateAsync(FocusedRow))!.GetValue<string>());

        // At 1400×900 the summary and every action are on screen without scrolling the page.
        await tab.EvaluateAsync("window.scrollTo(0, 0)");
        var outside = (await tab.EvaluateAsync(
            "Array.from(document.querySelectorAll('#c-summary, #c-fields, #c-note, #case-actions button, #c-assignee')).filter(e => { const r = e.getBoundingClientRect(); return r.top < 0 || r.bottom > window.innerHeight || r.right > window.innerWidth; }).map(e => e.id || e.textContent)"))!.AsArray();
        Assert.True(outside.Count == 0, $"not visible at 1400×900 without scrolling: {outside.ToJsonString()}");

        // a assigns the case to the remembered name; the row says so and the focus stays on it.
        await PressAsync(tab, "a");
        await tab.WaitForAsync($"{Message} === 'Assigned to alice.' && document.querySelector('tr[data-id=\"acct-qa~1\"]').cells[6].textContent === 'alice'", "the case to be assigned", Message);
        Assert.Equal("alice", (await CaseAsync(host, "acct-qa~1"))["case"]!.Str("assignedTo"));
        Assert.Equal("acct-qa~1", (await tab.EvaluateAsync(FocusedRow))!.GetValue<string>());

        // c closes it as confirmed fraud: the case, its alerts and the ledger agree, the row and history say so, the focus stays.
        await PressAsync(tab, "c");
        await tab.WaitForAsync(
            $"{Message} === 'Closed as confirmed fraud; 3 alerts still open were reviewed with it.' && document.querySelector('tr[data-id=\"acct-qa~1\"]').cells[7].textContent === 'confirmed fraud'",
            "the verdict to be saved and shown", Message);
        var closed = (await CaseAsync(host, "acct-qa~1"))["case"]!;
        Assert.Equal(("closed", "confirmed_fraud", "local"), (closed.Str("status"), closed.Str("verdict"), closed.Str("closedBy")));
        foreach (var id in Tx.CardTestingAnomalies("qa"))
        {
            Assert.Equal("confirmed_fraud", (await host.Http.OkJsonAsync($"anomalies/{id}")).Str("status"));
        }

        Assert.Equal(1L, host.LedgerScalar("SELECT label FROM scored_transactions WHERE transaction_id = 'qa-11'"));
        Assert.Equal("acct-qa~1", (await tab.EvaluateAsync(FocusedRow))!.GetValue<string>());
        var history = await HistoryAsync(tab);
        Assert.Equal(["local assigned it to alice", "local reviewed alert qa-9 as confirmed fraud", "local reviewed alert qa-10 as confirmed fraud", "local reviewed alert qa-11 as confirmed fraud", "local closed it as confirmed fraud"], history[4..]);
        Assert.Equal(
            ["qa-11|confirmed fraud", "qa-10|confirmed fraud", "qa-9|confirmed fraud"],
            await StringsAsync(tab, "Array.from(document.querySelectorAll('#c-alerts tbody tr')).map(tr => tr.dataset.id + '|' + tr.cells[3].textContent)"));
        Assert.True((await tab.EvaluateAsync("document.querySelector('#case-actions button[data-verdict=confirmed_fraud]').disabled"))!.GetValue<bool>(), "the verdict given is still offered");

        // f on the closed case: the API refuses (409) and the page says why, in the API's words; nothing changes.
        await PressAsync(tab, "f");
        await tab.WaitForAsync($"{Message}.startsWith('Not saved: ') && {Message}.includes('is closed')", "the 409 to be shown", Message);
        Assert.Contains("Review its alerts one by one", (await tab.EvaluateAsync(Message))!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("confirmed_fraud", (await CaseAsync(host, "acct-qa~1"))["case"]!.Str("verdict"));
        Assert.Equal("acct-qa~1", (await tab.EvaluateAsync(FocusedRow))!.GetValue<string>());

        // k goes back to the critical case; a colleague takes it meanwhile: the page's assignment is refused (412) and it reloads.
        await PressAsync(tab, "k");
        await WaitForCaseAsync(tab, "acct-qb~1", alerts: 1);
        using (var colleague = await host.Http.PostAsync("cases/acct-qb~1/assign", Tx.Json(new JsonObject { ["assignee"] = "bob" })))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.OK, colleague);
        }

        await PressAsync(tab, "a");
        await tab.WaitForAsync(
            $"{Message}.startsWith('Not saved: Someone changed this case') && document.getElementById('c-fields').textContent.includes('bob')",
            "the 412 to be shown and the case reloaded", Message);
        Assert.Equal("bob", (await CaseAsync(host, "acct-qb~1"))["case"]!.Str("assignedTo"));

        // An alert of the case opens in the anomalies view, for a review alone; Back returns to the case.
        await tab.EvaluateAsync("document.querySelector('#c-alerts tr[data-id=\"qb-x\"] button.open').click()");
        await tab.WaitForAsync(
            "!document.getElementById('main').hidden && document.getElementById('case-main').hidden && document.getElementById('d-id').textContent === 'qb-x' && document.querySelectorAll('#review button:not(:disabled)').length === 3",
            "the alert in the anomalies view", "document.getElementById('detail').textContent");
        Assert.Equal("?accountId=acct-qb", (await tab.EvaluateAsync("location.search"))!.GetValue<string>());
        Assert.Equal("acct-qb", (await tab.EvaluateAsync("document.getElementById('f-account').value"))!.GetValue<string>());
        await tab.EvaluateAsync("history.back()");
        await tab.WaitForAsync("!document.getElementById('case-main').hidden && document.getElementById('c-id').textContent === 'acct-qb~1' && location.search === '?view=cases'", "Back to the case");

        // Escape closes the case and gives the focus back to its row.
        await tab.SendAsync("Input.dispatchKeyEvent", new JsonObject { ["type"] = "keyDown", ["key"] = "Escape", ["code"] = "Escape", ["windowsVirtualKeyCode"] = 27 });
        await tab.WaitForAsync("document.getElementById('case-detail').hidden && document.activeElement.closest('tr')?.dataset.id === 'acct-qb~1'", "Escape to close the case");

        Assert.Empty((await tab.EvaluateAsync("window.__violations"))!.AsArray());
        Assert.Empty(tab.Errors);
        Step("done");
    }

    [Fact]
    public async Task Bulk_actions_report_each_case_filters_live_in_the_address_and_empty_states_say_what_is_true()
    {
        // Critical cases are due a second after they open: overdue, then escalated by the deadline scan.
        await using var host = await ApiHost.StartAsync(Intake, "Fraud:Cases:CriticalDeadline=00:00:01", "Fraud:Cases:DeadlineScanInterval=00:00:00.200");
        await using var chromium = await Chromium.StartAsync();
        var tab = await OpenAsync(chromium, new Uri(host.BaseAddress, "?view=cases"));

        // Nothing yet: said as it is.
        await tab.WaitForAsync("document.getElementById('c-empty').textContent === 'No open cases.' && !document.getElementById('c-empty').hidden", "the empty queue");
        Assert.True((await tab.EvaluateAsync("document.getElementById('bulk').hidden"))!.GetValue<bool>());

        await PostAsync(host, [.. Tx.CardTesting("qc", "acct-qc", Tx.T0), .. Tx.CardTesting("qd", "acct-qd", Tx.T0), .. Tx.ImpossibleTravel("qe", "acct-qe", Tx.T0)]);
        await WaitForCaseAsync(host, "acct-qc", alerts: 3);
        await WaitForCaseAsync(host, "acct-qd", alerts: 3);
        await WaitForEscalationAsync(host, "acct-qe~1");
        Step("seeded, cases filed, the critical one escalated");

        await tab.EvaluateAsync("document.getElementById('c-refresh').click()");
        await tab.WaitForAsync("document.querySelectorAll('#cases tbody tr').length === 3", "the three cases");
        var rows = await RowsAsync(tab);
        Assert.Equal("acct-qe~1", rows[0][0]);
        Assert.Matches("^(just overdue|overdue \\d+ min)escalated$", rows[0][2]);
        Assert.True((await tab.EvaluateAsync("document.querySelector('#cases tbody tr td.due span').classList.contains('overdue')"))!.GetValue<bool>());

        // No name yet: "assign to me" asks for it rather than guessing.
        await tab.EvaluateAsync("const auto = document.getElementById('c-auto'); if (auto.checked) auto.click();");
        await PressAsync(tab, "j");
        await WaitForCaseAsync(tab, "acct-qe~1", alerts: 1);
        await PressAsync(tab, "a");
        await tab.WaitForAsync($"{Message}.startsWith('Enter your name in “My name” first') && document.activeElement.id === 'me'", "the page to ask for the name", Message);
        Assert.Null((await CaseAsync(host, "acct-qe~1"))["case"]!["assignedTo"]);

        // Bulk assign of two cases.
        await tab.EvaluateAsync("for (const id of ['acct-qc~1', 'acct-qd~1']) document.querySelector(`tr[data-id=\"${id}\"] input.pick`).click()");
        await tab.WaitForAsync("!document.getElementById('bulk').hidden && document.getElementById('b-count').textContent === '2 selected:'", "the bulk bar for two cases");
        await tab.EvaluateAsync("document.getElementById('b-assignee').value = 'erin'; document.getElementById('b-assign').click()");
        await tab.WaitForAsync("document.getElementById('cases-message').textContent === '2 assigned to erin.'", "the bulk assignment's report", "document.getElementById('cases-message').textContent");
        Assert.Equal(["erin", "erin"], (await RowsAsync(tab)).Where(r => r[0] != "acct-qe~1").Select(r => r[7]));
        Assert.True((await tab.EvaluateAsync("document.getElementById('bulk').hidden"))!.GetValue<bool>(), "the done cases are still selected");

        // A colleague closes one of three while they are on screen: the bulk dismiss says what it did to each.
        using (var colleague = await host.Http.PostAsync("cases/acct-qe~1/verdict", Tx.Json(new JsonObject { ["status"] = "confirmed_fraud" })))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.OK, colleague);
        }

        await tab.EvaluateAsync("document.getElementById('c-all').click()");
        await tab.WaitForAsync("document.getElementById('b-count').textContent === '3 selected:'", "all three selected");
        await tab.EvaluateAsync("document.querySelector('#bulk button[data-bulk-verdict=dismissed]').click()");
        await tab.WaitForAsync(
            "document.getElementById('cases-message').textContent === '2 closed as dismissed (6 open alerts reviewed with them), 1 already closed (acct-qe~1).'",
            "the bulk dismissal's report", "document.getElementById('cases-message').textContent");
        foreach (var (id, verdict) in new[] { ("acct-qc~1", "dismissed"), ("acct-qd~1", "dismissed"), ("acct-qe~1", "confirmed_fraud") })
        {
            Assert.Equal(("closed", verdict), ((await CaseAsync(host, id))["case"]!.Str("status"), (await CaseAsync(host, id))["case"]!.Str("verdict")));
        }

        Assert.Equal(["confirmed fraud", "dismissed", "dismissed"], (await RowsAsync(tab)).Select(r => r[8]));
        Assert.Equal("dismissed", (await host.Http.OkJsonAsync("anomalies/qc-11")).Str("status"));

        // Filters go to the address and come back from it on reload.
        await tab.EvaluateAsync(
            "document.getElementById('cf-status').value = 'closed'; document.querySelector('input[name=case-severity][value=high]').click(); "
            + "document.getElementById('cf-assigned').value = ''; document.getElementById('cf-account').value = 'acct-qc'; document.getElementById('case-filters').requestSubmit()");
        await tab.WaitForAsync("document.querySelectorAll('#cases tbody tr').length === 1 && document.querySelector('#cases tbody tr').dataset.id === 'acct-qc~1'", "the filtered queue");
        var search = (await tab.EvaluateAsync("location.search"))!.GetValue<string>();
        Assert.Equal("?view=cases&status=closed&severity=high&accountId=acct-qc", search);
        await ReloadAsync(tab);
        await tab.WaitForAsync("document.querySelectorAll('#cases tbody tr').length === 1 && document.querySelector('#cases tbody tr').dataset.id === 'acct-qc~1'", "the filtered queue after a reload");
        Assert.Equal(
            ["closed", "true", "false", "acct-qc"],
            await StringsAsync(tab, "[document.getElementById('cf-status').value, String(document.querySelector('input[name=case-severity][value=high]').checked), String(document.querySelector('input[name=case-severity][value=critical]').checked), document.getElementById('cf-account').value]"));

        // Unassigned only: erin has both high ones, so none match; cleared, the default (open) queue is empty.
        await tab.EvaluateAsync("document.getElementById('cf-assigned').value = 'unassigned'; document.getElementById('case-filters').requestSubmit()");
        await tab.WaitForAsync("document.getElementById('c-empty').textContent === 'No cases match these filters.' && !document.getElementById('c-empty').hidden", "the filtered empty state");
        Assert.Contains("assigned=unassigned", (await tab.EvaluateAsync("location.search"))!.GetValue<string>(), StringComparison.Ordinal);
        await tab.EvaluateAsync("document.querySelector('#case-filters button[type=reset]').click()");
        await tab.WaitForAsync("document.getElementById('c-empty').textContent === 'No open cases.' && !document.getElementById('c-empty').hidden && location.search === '?view=cases'", "the cleared filters: no open case left");

        Assert.Empty((await tab.EvaluateAsync("window.__violations"))!.AsArray());
        Assert.Empty(tab.Errors);
        Step("done");
    }

    // ----- helpers ----------------------------------------------------------------------------

    private void Step(string what) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:0.00} s  {what}");

    private async Task<Chromium.Tab> OpenAsync(Chromium chromium, Uri address)
    {
        var tab = await chromium.NewTabAsync();
        await tab.AddInitScriptAsync(WatchViolations);
        await tab.NavigateAsync(address);
        Step("console loaded");
        return tab;
    }

    /// <summary>Reloads the page and waits for the new document (the old one would satisfy the same conditions).</summary>
    private static async Task ReloadAsync(Chromium.Tab tab)
    {
        await tab.EvaluateAsync("window.__beforeReload = true");
        await tab.SendAsync("Page.reload");
        await tab.WaitForAsync("window.__beforeReload === undefined && document.readyState === 'complete'", "the page to reload", "location.href");
    }

    private static async Task PostAsync(ApiHost host, IEnumerable<JsonObject> transactions)
    {
        using var response = await host.Http.PostAsync("transactions", Tx.Json(transactions));
        await HttpAssert.StatusAsync(HttpStatusCode.Accepted, response);
    }

    /// <summary>The account's case once intake has filed <paramref name="alerts"/> alerts into it.</summary>
    private static async Task<JsonNode> WaitForCaseAsync(ApiHost host, string account, int alerts)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var items = (await host.Http.OkJsonAsync($"cases?accountId={account}")).Items();
            if (items.FirstOrDefault(c => c["alerts"]!.GetValue<int>() == alerts) is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no case of {account} with {alerts} alerts after 20 s: {string.Join(", ", items.Select(i => i.ToJsonString()))}");
            await Task.Delay(100);
        }
    }

    private static async Task WaitForEscalationAsync(ApiHost host, string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await CaseAsync(host, id))["case"]!["escalatedAt"] is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{id} not escalated after 20 s");
            await Task.Delay(100);
        }
    }

    private static Task<JsonNode> CaseAsync(ApiHost host, string id) => host.Http.OkJsonAsync($"cases/{id}");

    /// <summary>Waits until the case panel shows <paramref name="id"/> with its alerts, timeline and history, and its actions enabled.</summary>
    private static Task WaitForCaseAsync(Chromium.Tab tab, string id, int alerts) => tab.WaitForAsync(
        $"!document.getElementById('case-detail').hidden && document.getElementById('c-id').textContent === '{id}' && document.querySelectorAll('#c-alerts tbody tr').length === {alerts} "
        + "&& document.querySelectorAll('#c-timeline tbody tr').length > 0 && document.querySelectorAll('#c-history li').length > 0 && !document.getElementById('c-add-note').disabled",
        $"the case {id}", "document.getElementById('case-detail').textContent");

    /// <summary>The history as "who what", without the times.</summary>
    private static Task<List<string>> HistoryAsync(Chromium.Tab tab) =>
        StringsAsync(tab, "Array.from(document.querySelectorAll('#c-history li')).map(li => li.querySelector('strong').textContent + li.childNodes[2].textContent)");

    private static async Task<List<string>> StringsAsync(Chromium.Tab tab, string expression) =>
        JsonSerializer.Deserialize<List<string>>((await tab.EvaluateAsync($"JSON.stringify({expression})"))!.GetValue<string>())!;

    private static async Task<List<string[]>> RowsAsync(Chromium.Tab tab) =>
        JsonSerializer.Deserialize<List<string[]>>((await tab.EvaluateAsync(Rows))!.GetValue<string>())!;

    /// <summary>A key pressed as a person would (trusted events, with the text it types).</summary>
    private static async Task PressAsync(Chromium.Tab tab, string key)
    {
        await tab.SendAsync("Input.dispatchKeyEvent", new JsonObject { ["type"] = "keyDown", ["key"] = key, ["text"] = key });
        await tab.SendAsync("Input.dispatchKeyEvent", new JsonObject { ["type"] = "keyUp", ["key"] = key });
    }

    private static string Score(JsonNode c) => c["maxScore"]!.GetValue<double>().ToString("0.000", CultureInfo.InvariantCulture);

    private static string Utc(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
