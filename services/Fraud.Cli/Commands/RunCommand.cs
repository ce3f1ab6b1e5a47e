using System.CommandLine;
using System.Globalization;
using Fraud.Api.Security;
using Fraud.Cli.CommandLine;
using Fraud.Cli.Run;
using Fraud.Detector.Models;
using Fraud.Host;
using Fraud.Runtime.Hosting;
using Fraud.Runtime.Ledger;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Fraud.Cli.Commands;

/// <summary>
/// <c>fraud run</c>: the whole system in one process on the embedded runtime — the API, the
/// detector, an in-process bus, the anomaly buffer and a SQLite (or PostgreSQL) ledger.
/// </summary>
internal sealed class RunCommand : Command
{
    private readonly Option<string> _urls = CliOptions.Text(
        "--urls", "URL", "where to listen; beyond loopback needs API keys (Fraud__Api__Keys__0__Key …)",
        fallback: $"http://127.0.0.1:{ServiceRoutes.ApiPort}");
    private readonly Option<string> _ledger = CliOptions.Text(
        "--ledger", "PATH|CONNECTION", "SQLite file, or a PostgreSQL connection string Host=…;Database=…",
        fallback: LedgerOptions.DefaultSqlitePath);
    private readonly Option<string> _model = CliOptions.ExistingFile(
        "--model", "MODEL.zip", "model written by fraud train (default: rules, then an unsupervised model learnt from the traffic)",
        required: false, hint: "; train one with `fraud train`");
    private readonly Option<double?> _simulate = CliOptions.Number("--simulate", "RATE", "feed simulated transactions at RATE per second", 1, 1_000_000);

    public RunCommand(CommandContext context)
        : base("run", "run the API and the detector in one process (embedded runtime, nothing else to install)")
    {
        Options.Add(_urls);
        Options.Add(_ledger);
        Options.Add(_model);
        Options.Add(_simulate);
        SetAction((result, cancellation) => RunAsync(result, context with { Cancellation = cancellation }));
    }

    private async Task<int> RunAsync(ParseResult result, CommandContext context)
    {
        var urls = result.GetRequiredValue(_urls);
        var ledger = result.GetRequiredValue(_ledger);
        var model = result.GetValue(_model);
        var rate = result.GetValue(_simulate) ?? 0;
        string[] host =
        [
            "--urls", urls,
            $"--Fraud:Ledger:ConnectionString={ledger}",
            $"--Fraud:Detector:ModelPath={model ?? string.Empty}",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Fraud=Information",
            // A start-up failure is rethrown and said below in one line; the host's own log of it is a stack trace.
            "--Logging:LogLevel:Microsoft.Extensions.Hosting.Internal.Host=None",
        ];

        WebApplication app;
        try
        {
            app = SingleProcessApp.Create(host, builder =>
            {
                if (rate > 0)
                {
                    builder.Services.AddSingleton(new SimulatedTrafficOptions(rate));
                    builder.Services.AddHostedService<SimulatedTraffic>();
                }
            });
        }
        catch (InvalidOperationException e)
        {
            throw new UsageException(e.Message);
        }

        await using (app)
        {
            try
            {
                await app.StartAsync(context.Cancellation).ConfigureAwait(false);
            }
            catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                context.Error.WriteLine($"fraud run: {e.Message} Is another fraud run using it? Choose another address with --urls, e.g. --urls http://127.0.0.1:{ServiceRoutes.ApiPort + 10}.");
                return 1;
            }
            catch (Exception e) when (e is Microsoft.Extensions.Options.OptionsValidationException or IOException)
            {
                context.Error.WriteLine($"fraud run: {e.Message}");
                return 1;
            }

            WriteStartupLines(app, context.Out, ledger, rate);
            await app.WaitForShutdownAsync(context.Cancellation).ConfigureAwait(false);
            // Stopped: deliveries drained and the ledger writer committed what they handed it. A 202
            // is sent only after its commit (EmbeddedBus), so whatever is not committed was never acknowledged.
            var writer = app.Services.GetRequiredService<LedgerWriter>();
            var c = CultureInfo.InvariantCulture;
            context.Out.WriteLine(string.Create(c, $"Stopped. Committed {writer.CommittedRows:N0} scored transactions to the ledger since start; every transaction answered 202 is in it."));
            if (writer.PendingRows > 0)
            {
                context.Out.WriteLine(string.Create(c, $"{writer.PendingRows:N0} were not committed ({writer.RecentFailure ?? "the ledger stopped"}); their senders got no 202."));
            }
        }

        return 0;
    }

    private static void WriteStartupLines(WebApplication app, TextWriter output, string ledger, double rate)
    {
        var url = app.Urls.FirstOrDefault()?.TrimEnd('/') ?? "http://127.0.0.1";
        var models = app.Services.GetRequiredService<ModelHost>();
        var kind = app.Services.GetRequiredService<ILedger>().Kind;
        var ledgerText = kind == "sqlite" ? Path.GetFullPath(ledger) : "PostgreSQL";
        output.WriteLine("Fraud.Dapr is running on the embedded runtime (API and detector in this process).");
        output.WriteLine($"  analyst console   {url}/");
        output.WriteLine($"  API               {url}  (POST /transactions, GET /anomalies, PATCH /anomalies/{{id}}, GET /stats, POST /score)");
        output.WriteLine($"  OpenAPI document  {url}/openapi/v1.json");
        output.WriteLine($"  metrics           {url}{ServiceRoutes.Metrics}   health {url}{ServiceRoutes.Health}");
        output.WriteLine($"  rate limits       {RateLimits.Describe(app.Services)}");
        output.WriteLine($"  ledger            {kind} {ledgerText}");
        output.WriteLine($"  model             {models.Description}");
        if (rate > 0)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  simulating        {rate:0.##} transactions/s; anomalies appear in the console as they are scored"));
        }

        output.WriteLine("Press Ctrl+C to stop (accepted transactions are committed first).");
    }
}
