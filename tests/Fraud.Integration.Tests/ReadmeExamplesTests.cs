using System.Diagnostics;
using System.Text.RegularExpressions;
using Fraud.TestSupport;

namespace Fraud.Integration.Tests;

/// <summary>
/// The README's API examples, pasted into bash as a newcomer would, against <c>fraud run</c>: every
/// request answers 2xx and does what the README says. Only the port changes (the test's own).
/// </summary>
public sealed partial class ReadmeExamplesTests
{
    [Fact]
    public async Task The_use_the_api_examples_work_when_pasted()
    {
        var script = UseTheApiBlock(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "README.md")));
        Assert.Contains("localhost:8080", script, StringComparison.Ordinal);
        using var directory = TempDirectory.Create("fraud-readme");
        await using var fraud = await FraudProcess.StartAsync("--ledger", directory.Combine("fraud.db"));

        // Each curl also prints its status on a line of its own, so that every answer can be checked.
        var run = "set -euo pipefail\ncurl() { command curl \"$@\" -w '\\n@status %{http_code}\\n'; }\n"
            + script.Replace("localhost:8080", $"localhost:{fraud.Address.Port}", StringComparison.Ordinal);
        var (exit, output) = await BashAsync(run);

        Assert.True(exit == 0, $"the README's examples failed (exit {exit}):\n{output}");
        var statuses = StatusLine().Matches(output).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        // The answers of top-level curls (one inside $(…) feeds a pipe; the PATCH it serves proves it worked).
        Assert.Equal(Regex.Matches(script, "^curl ", RegexOptions.Multiline).Count, statuses.Count);
        Assert.True(statuses.All(s => s is >= 200 and < 300), $"an example answered {string.Join(", ", statuses)}:\n{output}");
        Assert.Contains("{\"accepted\":12,\"duplicates\":0,\"conflicts\":0}", output, StringComparison.Ordinal); // the answer the README shows
        Assert.Contains("\"transactionId\":\"t-11\"", output, StringComparison.Ordinal);     // listed among high/critical anomalies
        Assert.Contains("\"status\":\"confirmed_fraud\"", output, StringComparison.Ordinal); // the review applied
        Assert.Contains("\"transactions\":12", output, StringComparison.Ordinal);          // the statistics count them
        Assert.Contains("\"caseId\":\"acct-1~1\"", output, StringComparison.Ordinal);      // the burst is one case
        Assert.Contains("\"alert\":false", output, StringComparison.Ordinal);              // the timeline holds unflagged transactions too
        Assert.Matches("\"alertsReviewed\":[1-9]", output);                                // the verdict reviewed the alerts still open
    }

    /// <summary>The first bash block after the heading "### Use the API".</summary>
    private static string UseTheApiBlock(string readme)
    {
        var heading = readme.IndexOf("### Use the API", StringComparison.Ordinal);
        Assert.True(heading >= 0, "README.md has no '### Use the API' section");
        var start = readme.IndexOf("```bash\n", heading, StringComparison.Ordinal) + "```bash\n".Length;
        var end = readme.IndexOf("```", start, StringComparison.Ordinal);
        return readme[start..end];
    }

    private static async Task<(int Exit, string Output)> BashAsync(string script)
    {
        using var process = Process.Start(new ProcessStartInfo("bash")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("bash did not start");
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors);
    }

    [GeneratedRegex(@"^@status (\d{3})$", RegexOptions.Multiline)]
    private static partial Regex StatusLine();
}
