using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fraud.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Fraud.Api.Tests;

/// <summary>
/// The analyst console end to end in headless Chromium (driven over the DevTools protocol): the
/// table renders the API's anomalies (text from the API stays text), the detail panel shows the
/// reasons, review buttons PATCH with If-Match and handle a concurrent review (412), and the API key
/// typed in the page is used. Needs <c>/usr/bin/chromium</c> (<c>apt-get install chromium</c>).
/// </summary>
public sealed class BrowserTests(ITestOutputHelper output)
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    /// <summary>
    /// A reviewer name a caller could send (ids are limited to an alphabet without markup; names and
    /// notes are free text): it must show as text and never become markup.
    /// </summary>
    private const string HostileReviewer = "<img src=x onerror=window.__xss=1>";

    private const string Merchant = "m-card-tester";

    private const string WatchViolations =
        "window.__violations = []; document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));";

    private const string Rows =
        "JSON.stringify(Array.from(document.querySelectorAll('#anomalies tbody tr')).map(tr => [tr.dataset.id, ...Array.from(tr.cells).map(c => c.textContent.trim())]))";

    [Fact]
    public async Task An_analyst_sees_the_anomalies_and_reviews_one_and_a_concurrent_review_is_caught()
    {
        await using var host = await ApiHost.StartAsync();
        var seed = Tx.CardTesting("ua", "acct-ua", Tx.T0, merchant: Merchant).Concat(Tx.ImpossibleTravel("ub", "acct-ub", Tx.T0.AddHours(1)));
        using (var ingest = await host.Http.PostAsync("transactions", Tx.Json(seed)))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.Accepted, ingest);
        }

        Step("api started and seeded");
        await using var chromium = await Chromium.StartAsync();
        var tab = await OpenConsoleAsync(chromium, host.BaseAddress);

        // The table: newest first, every column.
        await tab.WaitForAsync("document.querySelectorAll('#anomalies tbody tr').length === 4", "four anomalies in the table");
        var rows = await RowsAsync(tab);
        Assert.Equal(["ub-x", "ua-11", "ua-10", "ua-9"], rows.Select(r => r[0]));
        var travel = rows[0];
        Assert.Equal(["critical", "acct-ub", "m-far", "open"], new[] { travel[3], travel[5], travel[6], travel[7] });
        Assert.Contains("IMPOSSIBLE_TRAVEL", travel[8], StringComparison.Ordinal);
        var card = rows[1];
        Assert.Equal(Tx.Iso(Tx.T0.AddMinutes(11))[..19].Replace('T', ' '), card[1]);
        Assert.Equal("0.770", card[2]);
        Assert.Equal(["high", "1.00 EUR", "acct-ua", Merchant, "open"], card[3..8]);
        Assert.Contains("CARD_TESTING", card[8], StringComparison.Ordinal);
        Assert.Contains("VELOCITY", card[8], StringComparison.Ordinal);

        // Every control has an accessible name.
        var unnamed = (await tab.EvaluateAsync(
            "Array.from(document.querySelectorAll('input, select, textarea, button')).filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim()).map(e => e.outerHTML)"))!.AsArray();
        Assert.Empty(unnamed);

        // The stats strip.
        await tab.WaitForAsync("document.querySelector('[data-stat=\"Anomalies\"] dd')?.textContent === '4'", "the stats strip to count four anomalies");
        Assert.Equal("rules-only", (await tab.EvaluateAsync("document.querySelector('[data-stat=\"Model in use\"] dd').textContent"))!.GetValue<string>());

        // The detail panel: every reason with its weight, the transaction's fields.
        await tab.EvaluateAsync("document.querySelector('tr[data-id=\"ua-11\"] button.open').click()");
        await WaitForDetailAsync(tab, "ua-11");
        var reasons = (await tab.EvaluateAsync("Array.from(document.querySelectorAll('#d-reasons li')).map(li => li.querySelector('.code').textContent + '|' + li.querySelector('meter').value)"))!.AsArray();
        Assert.Equal(["CARD_TESTING|0.6154", "VELOCITY|0.3846"], reasons.Select(r => r!.GetValue<string>()));
        var panel = (await tab.EvaluateAsync("document.getElementById('detail').textContent"))!.GetValue<string>();
        Assert.DoesNotContain("null", panel, StringComparison.Ordinal);
        Assert.DoesNotContain("undefined", panel, StringComparison.Ordinal);
        var fields = (await tab.EvaluateAsync("document.getElementById('d-fields').textContent"))!.GetValue<string>();
        Assert.Contains("acct-ua", fields, StringComparison.Ordinal);
        Assert.Contains(Merchant, fields, StringComparison.Ordinal);
        Assert.True((await tab.EvaluateAsync("document.querySelector('#review button[data-status=\"open\"]').disabled"))!.GetValue<bool>(), "Reopen offered on an open anomaly");

        // Confirm fraud with a note: the row and the API agree afterwards, and the label is in the ledger.
        await tab.EvaluateAsync("document.getElementById('d-note').value = 'card testing, card blocked'; document.querySelector('#review button[data-status=\"confirmed_fraud\"]').click()");
        await tab.WaitForAsync(
            "document.getElementById('d-message').textContent.startsWith('Saved') && document.querySelector('tr[data-id=\"ua-11\"]').cells[6].textContent === 'confirmed fraud'",
            "the review to be saved and shown", "document.getElementById('d-message').textContent");
        var confirmed = await host.Http.OkJsonAsync("anomalies/ua-11");
        Assert.Equal("confirmed_fraud", confirmed.Str("status"));
        Assert.Equal("card testing, card blocked", confirmed.Str("note"));
        Assert.Equal("local", confirmed.Str("reviewedBy"));
        Assert.Equal(1L, host.LedgerScalar("SELECT label FROM scored_transactions WHERE transaction_id = 'ua-11'"));

        // A colleague reviews ua-10 while it is open here: the console's review is refused (412) and it reloads.
        await tab.EvaluateAsync("const auto = document.getElementById('auto'); if (auto.checked) auto.click();");
        await tab.EvaluateAsync("document.querySelector('tr[data-id=\"ua-10\"] button.open').click()");
        await WaitForDetailAsync(tab, "ua-10");
        using (var read = await host.Http.GetAsync("anomalies/ua-10"))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.OK, read);
            using var colleague = new HttpRequestMessage(HttpMethod.Patch, "anomalies/ua-10") { Content = Tx.Json(new JsonObject { ["status"] = "dismissed", ["reviewedBy"] = HostileReviewer }) };
            colleague.Headers.IfMatch.Add(read.Headers.ETag!);
            using var dismissed = await host.Http.SendAsync(colleague);
            await HttpAssert.StatusAsync(HttpStatusCode.OK, dismissed);
        }

        await tab.EvaluateAsync("document.querySelector('#review button[data-status=\"false_positive\"]').click()");
        await tab.WaitForAsync(
            "document.getElementById('d-message').textContent.includes('Changed by someone else') && document.getElementById('d-summary').textContent.includes('onerror')",
            "the conflict to be reported and the anomaly reloaded", "document.getElementById('d-message').textContent");
        var summary = (await tab.EvaluateAsync("document.getElementById('d-summary').textContent"))!.GetValue<string>();
        Assert.Contains("dismissed", summary, StringComparison.Ordinal);
        Assert.Contains(HostileReviewer, summary, StringComparison.Ordinal);
        Assert.Equal(0, (await tab.EvaluateAsync("document.querySelectorAll('img').length"))!.GetValue<int>());
        Assert.True((await tab.EvaluateAsync("window.__xss === undefined"))!.GetValue<bool>());
        Assert.Equal("dismissed", (await host.Http.OkJsonAsync("anomalies/ua-10")).Str("status"));

        // Having seen the current state, the analyst reviews again and it applies.
        await tab.WaitForAsync("!document.querySelector('#review button[data-status=\"false_positive\"]').disabled", "the review buttons to be enabled again");
        await tab.EvaluateAsync("document.querySelector('#review button[data-status=\"false_positive\"]').click()");
        await tab.WaitForAsync("document.getElementById('d-message').textContent.startsWith('Saved')", "the second review to be saved", "document.getElementById('d-message').textContent");
        Assert.Equal("false_positive", (await host.Http.OkJsonAsync("anomalies/ua-10")).Str("status"));

        // Escape closes the panel and gives the focus back to the row.
        await tab.SendAsync("Input.dispatchKeyEvent", new JsonObject { ["type"] = "keyDown", ["key"] = "Escape", ["code"] = "Escape", ["windowsVirtualKeyCode"] = 27 });
        await tab.WaitForAsync("document.getElementById('detail').hidden && document.activeElement.closest('tr')?.dataset.id === 'ua-10'", "Escape to close the details");

        Assert.Empty((await tab.EvaluateAsync("window.__violations"))!.AsArray());
        Assert.Empty(tab.Errors);
        Step("done");
    }

    [Fact]
    public async Task The_console_asks_for_a_key_says_what_a_key_may_not_do_and_uses_the_key_it_is_given()
    {
        await using var host = await ApiHost.StartAsync([.. Keys.All()]);
        using (var ingest = await host.Client(Keys.Admin).PostAsync("transactions", Tx.Json(Tx.CardTesting("uk", "acct-uk", Tx.T0))))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.Accepted, ingest);
        }

        Step("api started and seeded");
        await using var chromium = await Chromium.StartAsync();
        var tab = await OpenConsoleAsync(chromium, host.BaseAddress);

        await tab.WaitForAsync("document.getElementById('message').textContent.includes('An API key is needed')", "the console to ask for a key");
        Assert.Equal(0, (await tab.EvaluateAsync("document.querySelectorAll('#anomalies tbody tr').length"))!.GetValue<int>());

        await UseKeyAsync(tab, Keys.Ingest);
        await tab.WaitForAsync("document.getElementById('message').textContent.includes('may not read anomalies')", "the console to say an ingest key cannot read");

        await UseKeyAsync(tab, Keys.Analyst);
        await tab.WaitForAsync("document.querySelectorAll('#anomalies tbody tr').length === 3", "the analyst's anomalies");
        Assert.Equal(Keys.Analyst, (await tab.EvaluateAsync("sessionStorage.getItem('fraud.console.apiKey')"))!.GetValue<string>());
        Assert.Equal("", (await tab.EvaluateAsync("document.getElementById('api-key').value"))!.GetValue<string>());
        Assert.Equal("", (await tab.EvaluateAsync("document.getElementById('message').textContent"))!.GetValue<string>());

        await tab.EvaluateAsync("document.querySelector('tr[data-id=\"uk-9\"] button.open').click()");
        await WaitForDetailAsync(tab, "uk-9");
        await tab.EvaluateAsync("document.querySelector('#review button[data-status=\"dismissed\"]').click()");
        await tab.WaitForAsync("document.getElementById('d-message').textContent.startsWith('Saved')", "the review to be saved", "document.getElementById('d-message').textContent");
        var reviewed = await host.Client(Keys.Admin).OkJsonAsync("anomalies/uk-9");
        Assert.Equal("dismissed", reviewed.Str("status"));
        Assert.Equal(Keys.AnalystName, reviewed.Str("reviewedBy"));

        // Forgetting the key locks the console again.
        await tab.EvaluateAsync("document.getElementById('key-clear').click()");
        await tab.WaitForAsync("document.getElementById('message').textContent.includes('An API key is needed') && sessionStorage.getItem('fraud.console.apiKey') === null", "the key to be forgotten");

        Assert.Empty((await tab.EvaluateAsync("window.__violations"))!.AsArray());
        Assert.Empty(tab.Errors);
        Step("done");
    }

    [Fact]
    public async Task Load_more_follows_the_cursor_and_the_filter_bar_narrows_the_list()
    {
        await using var host = await ApiHost.StartAsync();
        var seed = Tx.CardTesting("ul", "acct-ul", Tx.T0, burst: 70).Concat(Tx.ImpossibleTravel("um", "acct-um", Tx.T0.AddHours(3)));
        using (var ingest = await host.Http.PostAsync("transactions", Tx.Json(seed)))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.Accepted, ingest);
        }

        var all = (await host.Http.OkJsonAsync("anomalies?limit=500")).Ids();
        Assert.InRange(all.Count, 51, 100);
        Step("api started and seeded");
        await using var chromium = await Chromium.StartAsync();
        var tab = await OpenConsoleAsync(chromium, host.BaseAddress);

        // The first page, then the rest through nextCursor: every anomaly once, in the API's order.
        await tab.WaitForAsync("document.querySelectorAll('#anomalies tbody tr').length === 50 && !document.getElementById('more').hidden", "the first page and a Load more button");
        await tab.EvaluateAsync("document.getElementById('more').click()");
        await tab.WaitForAsync($"document.querySelectorAll('#anomalies tbody tr').length === {all.Count} && document.getElementById('more').hidden", "the second page");
        Assert.Equal(all, (await RowsAsync(tab)).Select(r => r[0]));

        // Filters: severity boxes, status, account and minimum score, all sent to the API.
        await tab.EvaluateAsync("document.querySelector('input[name=severity][value=critical]').click(); document.getElementById('filters').requestSubmit()");
        await tab.WaitForAsync("document.querySelectorAll('#anomalies tbody tr').length === 1", "the critical anomaly alone");
        Assert.Equal("um-x", (await RowsAsync(tab))[0][0]);

        await tab.EvaluateAsync(
            "document.querySelector('input[name=severity][value=critical]').click(); document.getElementById('f-status').value = 'open'; "
            + "document.getElementById('f-account').value = 'acct-ul'; document.getElementById('f-score').value = '0.75'; document.getElementById('filters').requestSubmit()");
        await tab.WaitForAsync("document.querySelectorAll('#anomalies tbody tr').length === 50 && document.querySelector('#anomalies tbody tr').dataset.id === 'ul-69'", "the account's open anomalies");
        Assert.All(await RowsAsync(tab), r => Assert.Equal("acct-ul", r[5]));

        await tab.EvaluateAsync("document.getElementById('f-score').value = '0.8'; document.getElementById('filters').requestSubmit()");
        await tab.WaitForAsync("document.querySelectorAll('#anomalies tbody tr').length === 0 && !document.getElementById('empty').hidden", "no anomaly scoring 0.8 on that account");

        // Clear brings everything back.
        await tab.EvaluateAsync("document.querySelector('#filters button[type=reset]').click()");
        await tab.WaitForAsync("document.querySelectorAll('#anomalies tbody tr').length === 50 && document.querySelector('#anomalies tbody tr').dataset.id === 'um-x'", "the unfiltered list");
        Assert.Equal("", (await tab.EvaluateAsync("document.getElementById('f-account').value"))!.GetValue<string>());

        Assert.Empty((await tab.EvaluateAsync("window.__violations"))!.AsArray());
        Assert.Empty(tab.Errors);
        Step("done");
    }

    [Fact]
    public async Task Filters_live_in_the_address_empty_states_say_what_is_true_and_an_analyst_reviews_from_the_keyboard()
    {
        await using var host = await ApiHost.StartAsync();
        Step("api started");
        await using var chromium = await Chromium.StartAsync();
        var tab = await OpenConsoleAsync(chromium, host.BaseAddress);

        // Nothing scored yet, and an open API: both said as they are.
        await tab.WaitForAsync("!document.getElementById('empty').hidden && document.getElementById('empty').textContent.startsWith('No anomalies yet')", "the empty state of a new system");
        Assert.Equal("not needed: this API has no keys", (await tab.EvaluateAsync("document.getElementById('api-key').placeholder"))!.GetValue<string>());

        var seed = Tx.CardTesting("uk", "acct-uk", Tx.T0, merchant: Merchant).Concat(Tx.ImpossibleTravel("uv", "acct-uv", Tx.T0.AddHours(1)));
        using (var ingest = await host.Http.PostAsync("transactions", Tx.Json(seed)))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.Accepted, ingest);
        }

        // A saved view: the address holds the filters, the page shows and applies them.
        var view = $"?severity=high&status=open&from={Uri.EscapeDataString(Tx.Iso(Tx.T0))}&to={Uri.EscapeDataString(Tx.Iso(Tx.T0.AddMinutes(30)))}";
        await tab.NavigateAsync(new Uri(host.BaseAddress, view));
        await tab.WaitForAsync("document.querySelectorAll('#anomalies tbody tr').length === 3", "the three high card-testing anomalies of the saved view");
        Assert.Equal(["uk-11", "uk-10", "uk-9"], (await RowsAsync(tab)).Select(r => r[0]));
        Assert.True((await tab.EvaluateAsync("document.querySelector('input[name=severity][value=high]').checked && document.getElementById('f-status').value === 'open'"))!.GetValue<bool>());
        // The browser shows whole minutes without their seconds.
        Assert.Equal(Tx.Iso(Tx.T0)[..16], (await tab.EvaluateAsync("document.getElementById('f-from').value"))!.GetValue<string>());

        // Changing the filter rewrites the address; a filter that matches nothing says so.
        await tab.EvaluateAsync("document.getElementById('f-account').value = 'acct-none'; document.getElementById('filters').requestSubmit()");
        await tab.WaitForAsync("document.getElementById('empty').textContent === 'No anomalies match these filters.' && !document.getElementById('empty').hidden", "the filtered empty state");
        Assert.Contains("accountId=acct-none", (await tab.EvaluateAsync("location.search"))!.GetValue<string>(), StringComparison.Ordinal);
        await tab.EvaluateAsync("document.getElementById('f-account').value = ''; document.getElementById('filters').requestSubmit()");
        await tab.WaitForAsync("document.querySelectorAll('#anomalies tbody tr').length === 3", "the saved view again");

        // j opens the first, d dismisses it and focus stays on its row, j goes on to the next, c confirms it.
        await PressAsync(tab, "j");
        await WaitForDetailAsync(tab, "uk-11");
        await PressAsync(tab, "d");
        await tab.WaitForAsync("document.getElementById('d-message').textContent === 'Saved: dismissed.'", "the keyboard review to save", "document.getElementById('detail').textContent");
        Assert.Equal("uk-11", (await tab.EvaluateAsync("document.activeElement.closest('tr') && document.activeElement.closest('tr').dataset.id"))!.GetValue<string>());
        await PressAsync(tab, "j");
        await WaitForDetailAsync(tab, "uk-10");
        await PressAsync(tab, "c");
        await tab.WaitForAsync("document.getElementById('d-message').textContent === 'Saved: confirmed fraud.'", "the second keyboard review to save", "document.getElementById('detail').textContent");
        await PressAsync(tab, "k");
        await tab.WaitForAsync("document.getElementById('d-id').textContent === 'uk-11'", "k to go back", "document.getElementById('detail').textContent");
        Assert.Equal("dismissed", (await host.Http.OkJsonAsync("anomalies/uk-11")).Str("status"));
        Assert.Equal("confirmed_fraud", (await host.Http.OkJsonAsync("anomalies/uk-10")).Str("status"));

        // At 1400×900 the whole review (reasons, note, buttons) is on screen without scrolling the page.
        await tab.SetViewportAsync(1400, 900);
        await tab.EvaluateAsync("window.scrollTo(0, 0)");
        var outside = (await tab.EvaluateAsync(
            "Array.from(document.querySelectorAll('#d-reasons, #d-note, #review button')).filter(e => { const r = e.getBoundingClientRect(); return r.top < 0 || r.bottom > window.innerHeight || r.right > window.innerWidth; }).map(e => e.id || e.textContent)"))!.AsArray();
        Assert.True(outside.Count == 0, $"not visible at 1400×900 without scrolling: {outside.ToJsonString()}");

        // Typing a note never triggers a key action.
        await tab.EvaluateAsync("document.getElementById('d-note').focus()");
        await PressAsync(tab, "d");
        await Task.Delay(300);
        Assert.Equal("dismissed", (await host.Http.OkJsonAsync("anomalies/uk-11")).Str("status"));
        Assert.Equal("d", (await tab.EvaluateAsync("document.getElementById('d-note').value"))!.GetValue<string>());

        Assert.Empty((await tab.EvaluateAsync("window.__violations"))!.AsArray());
        Assert.Empty(tab.Errors);
        Step("done");
    }

    /// <summary>A key pressed as a person would (trusted events, with the text it types).</summary>
    private static async Task PressAsync(Chromium.Tab tab, string key)
    {
        await tab.SendAsync("Input.dispatchKeyEvent", new JsonObject { ["type"] = "keyDown", ["key"] = key, ["text"] = key });
        await tab.SendAsync("Input.dispatchKeyEvent", new JsonObject { ["type"] = "keyUp", ["key"] = key });
    }

    private void Step(string what) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:0.00} s  {what}");

    /// <summary>A new tab on the console at <paramref name="address"/>, watching for violations from the first script on.</summary>
    private async Task<Chromium.Tab> OpenConsoleAsync(Chromium chromium, Uri address)
    {
        Step("chromium started");
        var tab = await chromium.NewTabAsync();
        await tab.AddInitScriptAsync(WatchViolations);
        await tab.NavigateAsync(address);
        Step("console loaded");
        return tab;
    }

    private static async Task UseKeyAsync(Chromium.Tab tab, string key) =>
        await tab.EvaluateAsync($"document.getElementById('api-key').value = {JsonSerializer.Serialize(key)}; document.getElementById('key-form').requestSubmit()");

    private static Task WaitForDetailAsync(Chromium.Tab tab, string id) => tab.WaitForAsync(
        $"!document.getElementById('detail').hidden && document.getElementById('d-id').textContent === '{id}' && document.querySelectorAll('#d-reasons li').length > 0 && document.querySelectorAll('#review button:not(:disabled)').length === 3",
        $"the details of {id}", "document.getElementById('detail').textContent");

    private static async Task<List<string[]>> RowsAsync(Chromium.Tab tab)
    {
        var json = (await tab.EvaluateAsync(Rows))!.GetValue<string>();
        return JsonSerializer.Deserialize<List<string[]>>(json)!;
    }
}
