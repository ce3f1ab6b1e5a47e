using System.Globalization;
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
internal sealed class RunCommand : ICommand
{
    public string Name => "run";

    public string Summary => "run the API and the detector in one process (embedded runtime, nothing else to install)";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("urls", "URL", $"where to listen (default http://127.0.0.1:{ServiceRoutes.ApiPort}); beyond loopback needs API keys (Fraud__Api__Keys__0__Key …)"),
        new("ledger", "PATH|CONNECTION", $"SQLite file, or a PostgreSQL connection string Host=…;Database=… (default {LedgerOptions.DefaultSqlitePath})"),
        new("model", "MODEL.zip", "model written by fraud train (default: rules, then an unsupervised model learnt from the traffic)"),
        new("simulate", "RATE", "feed simulated transactions at RATE per second"),
    ];

    public async Task<int> RunAsync(ParsedArguments args, CommandContext context)
    {
        var urls = args.String("urls") ?? $"http://127.0.0.1:{ServiceRoutes.ApiPort}";
        var ledger = args.String("ledger") ?? LedgerOptions.DefaultSqlitePath;
        var model = args.String("model");
        if (model is not null && !File.Exists(model))
        {
            throw new UsageException($"fraud run: --model '{model}' does not exist; train one with `fraud train`.");
        }

        var rate = args.Has("simulate") ? args.Double("simulate", 0, 1, 1_000_000) : 0;
        string[] host =
        [
            "--urls", urls,
            $"--Fraud:Ledger:ConnectionString={ledger}",
            $"--Fraud:Detector:ModelPath={model ?? string.Empty}",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Fraud=Information",
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
            throw new UsageException($"fraud run: {e.Message}");
        }

        await using (app)
        {
            try
            {
                await app.StartAsync(context.Cancellation).ConfigureAwait(false);
            }
            catch (Exception e) when (e is Microsoft.Extensions.Options.OptionsValidationException or IOException)
            {
                context.Error.WriteLine($"fraud run: {e.Message}");
                return 1;
            }

            WriteStartupLines(app, context.Out, ledger, rate);
            await app.WaitForShutdownAsync(context.Cancellation).ConfigureAwait(false);
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
        output.WriteLine($"  ledger            {kind} {ledgerText}");
        output.WriteLine($"  model             {models.Description}");
        if (rate > 0)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  simulating        {rate:0.##} transactions/s; anomalies appear in the console as they are scored"));
        }

        output.WriteLine("Press Ctrl+C to stop (accepted transactions are committed first).");
    }
}
