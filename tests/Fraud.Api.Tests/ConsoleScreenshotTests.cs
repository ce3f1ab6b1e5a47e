using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fraud.Api.Tests.Infrastructure;
using Fraud.TestSupport;

namespace Fraud.Api.Tests;

/// <summary>
/// The console's main views at 1400×900 against the images in <c>tests/Fraud.Api.Tests/Screenshots</c>:
/// the anomaly list, the list with a review open, and the case queue with a case open. What changes
/// from run to run (the refresh time, the last minute's rate, the scoring time, and the times a case
/// takes from the clock: opened, deadline, history) is hidden before the capture. The comparison runs
/// in the browser itself (two images on a canvas): a pixel differs when a channel moves by more than
/// 32, and at most 0.2 % may. After a deliberate change of the page, set <c>UPDATE_SCREENSHOTS=1</c>
/// once to write the new images, look at them, and commit them.
/// </summary>
public sealed class ConsoleScreenshotTests
{
    private const double MostDiffering = 0.002;

    /// <summary>The parts of the page that differ between two runs over the same data.</summary>
    private const string HideVolatile = """
        (() => {
          document.getElementById('auto').checked = false;
          document.getElementById('auto').dispatchEvent(new Event('change'));
          const hide = [document.getElementById('updated'), document.getElementById('c-updated'), document.querySelector('[data-stat^="Throughput"] dd'), ...document.querySelectorAll('.clock')];
          for (const dt of document.querySelectorAll('#d-fields dt')) {
            if (dt.textContent === 'Scored at' || dt.textContent === 'Reviewed at') hide.push(dt.nextElementSibling);
          }
          for (const e of hide) if (e) e.style.visibility = 'hidden';
          document.activeElement && document.activeElement.blur();
          return hide.filter(Boolean).length;
        })()
        """;

    [Fact]
    public async Task The_anomaly_list_and_the_review_look_as_they_did()
    {
        await using var host = await ApiHost.StartAsync();
        var seed = Tx.CardTesting("uk", "acct-uk", Tx.T0, merchant: "m-card-tester").Concat(Tx.ImpossibleTravel("uv", "acct-uv", Tx.T0.AddHours(1)));
        using (var ingest = await host.Http.PostAsync("transactions", Tx.Json(seed)))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.Accepted, ingest);
        }

        await using var chromium = await Chromium.StartAsync();
        var tab = await chromium.NewTabAsync();
        await tab.SetViewportAsync(1400, 900);
        await tab.NavigateAsync(host.BaseAddress);
        await tab.WaitForAsync("document.querySelectorAll('#anomalies tbody tr').length === 4 && document.querySelector('[data-stat=\"Model in use\"]') !== null", "the four anomalies and the statistics");
        Assert.True((await tab.EvaluateAsync(HideVolatile))!.GetValue<int>() >= 2);
        await CompareAsync(chromium, await CaptureAsync(tab), "console-list.png");

        await tab.EvaluateAsync("document.querySelector('#anomalies tbody tr').click()");
        await tab.WaitForAsync(
            "!document.getElementById('detail').hidden && document.querySelectorAll('#d-reasons li').length > 0 && document.querySelectorAll('#review button:not(:disabled)').length === 3",
            "the review of the newest anomaly", "document.getElementById('detail').textContent");
        Assert.True((await tab.EvaluateAsync(HideVolatile))!.GetValue<int>() >= 3);
        await CompareAsync(chromium, await CaptureAsync(tab), "console-review.png");
        Assert.Empty(tab.Errors);
    }

    [Fact]
    public async Task The_case_queue_with_a_case_open_looks_as_it_did()
    {
        await using var host = await ApiHost.StartAsync("Fraud:Cases:IntakeInterval=00:00:00.100");
        var seed = Tx.CardTesting("uk", "acct-uk", Tx.T0, merchant: "m-card-tester").Concat(Tx.ImpossibleTravel("uv", "acct-uv", Tx.T0.AddHours(1)));
        using (var ingest = await host.Http.PostAsync("transactions", Tx.Json(seed)))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.Accepted, ingest);
        }

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await host.Http.OkJsonAsync("cases?status=open")).Items().Sum(c => c["alerts"]!.GetValue<int>()) < 4)
        {
            Assert.True(DateTime.UtcNow < deadline, "the two cases were not filed within 20 s");
            await Task.Delay(100);
        }

        await using var chromium = await Chromium.StartAsync();
        var tab = await chromium.NewTabAsync();
        await tab.SetViewportAsync(1400, 900);
        await tab.NavigateAsync(new Uri(host.BaseAddress, "?view=cases"));
        await tab.WaitForAsync("document.querySelectorAll('#cases tbody tr').length === 2 && document.querySelector('[data-stat=\"Model in use\"]') !== null", "the two cases and the statistics");
        await tab.EvaluateAsync("document.querySelector('#cases tr[data-id=\"acct-uk~1\"] button.open').click()");
        await tab.WaitForAsync(
            "document.getElementById('c-id').textContent === 'acct-uk~1' && document.querySelectorAll('#c-alerts tbody tr').length === 3 && document.querySelectorAll('#c-timeline tbody tr').length === 15 "
            + "&& document.querySelectorAll('#c-history li').length === 4 && !document.getElementById('c-add-note').disabled",
            "the card-testing case", "document.getElementById('case-detail').textContent");
        Assert.True((await tab.EvaluateAsync(HideVolatile))!.GetValue<int>() >= 2 + 2 * 2 + 3 + 4);
        await CompareAsync(chromium, await CaptureAsync(tab), "console-case.png");
        Assert.Empty(tab.Errors);
    }

    private static async Task<byte[]> CaptureAsync(Chromium.Tab tab)
    {
        // In front (a background tab paints no frames), then two frames, so that what the last script changed is painted.
        await tab.SendAsync("Page.bringToFront");
        await tab.EvaluateAsync("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))");
        var shot = await tab.SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" });
        return Convert.FromBase64String(shot["data"]!.GetValue<string>());
    }

    private static async Task CompareAsync(Chromium chromium, byte[] actual, string name)
    {
        var expectedPath = Path.Combine(RepositoryRoot.Path, "tests", "Fraud.Api.Tests", "Screenshots", name);
        if (Environment.GetEnvironmentVariable("UPDATE_SCREENSHOTS") == "1")
        {
            await File.WriteAllBytesAsync(expectedPath, actual);
        }

        var actualPath = Path.Combine(Path.GetTempPath(), "fraud-console-" + name);
        await File.WriteAllBytesAsync(actualPath, actual);
        Assert.True(File.Exists(expectedPath), $"no reference image {expectedPath}: look at {actualPath} and, if it is right, run once with UPDATE_SCREENSHOTS=1");

        var tab = await chromium.NewTabAsync();
        var result = (await tab.EvaluateAsync($$"""
            (async () => {
              const load = src => new Promise((ok, fail) => { const i = new Image(); i.onload = () => ok(i); i.onerror = fail; i.src = src; });
              const [a, b] = await Promise.all([load('data:image/png;base64,{{Convert.ToBase64String(actual)}}'), load('data:image/png;base64,{{Convert.ToBase64String(await File.ReadAllBytesAsync(expectedPath))}}')]);
              if (a.width !== b.width || a.height !== b.height) return JSON.stringify({ size: `${a.width}×${a.height} against ${b.width}×${b.height}` });
              const pixels = img => { const c = document.createElement('canvas'); c.width = img.width; c.height = img.height; const g = c.getContext('2d'); g.drawImage(img, 0, 0); return g.getImageData(0, 0, img.width, img.height).data; };
              const pa = pixels(a), pb = pixels(b);
              let differing = 0;
              for (let i = 0; i < pa.length; i += 4) {
                if (Math.abs(pa[i] - pb[i]) > 32 || Math.abs(pa[i + 1] - pb[i + 1]) > 32 || Math.abs(pa[i + 2] - pb[i + 2]) > 32) differing++;
              }
              return JSON.stringify({ differing, total: pa.length / 4 });
            })()
            """))!.GetValue<string>();
        await tab.SendAsync("Page.close");
        var comparison = JsonNode.Parse(result)!;
        Assert.True(comparison["size"] is null, $"{name}: the page is {comparison["size"]}; look at {actualPath}");
        var share = comparison["differing"]!.GetValue<double>() / comparison["total"]!.GetValue<double>();
        Assert.True(share <= MostDiffering, $"{name}: {share:P2} of the pixels differ from the reference (at most {MostDiffering:P1} may); look at {actualPath}");
    }
}
