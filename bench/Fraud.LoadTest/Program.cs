using System.Globalization;
using Fraud.LoadTest;

// ingest --url U [--rate TX_PER_S] [--batch N] [--seconds S] [--accounts N] [--connections N] [--probes-per-second N]
// reads  --url U --path by-id|list [--rate REQ_PER_S] [--seconds S]
// fill   --ledger PATH|CONNECTION [--rows N] [--anomaly-share F] [--rows-per-second R]  (scored R a second up to now; by default over 28 days)
// ids    --url U --out FILE [--count N]    (anomaly ids for bench/wrk/by-id.lua)
// hostile --url U [--tricklers N] [--declared-bytes B] [--trickle-seconds S] [--threads N] [--batch N] [--seconds S]
var options = Options.Parse(args.Skip(1).ToArray());
try
{
    return args.FirstOrDefault() switch
    {
        "ingest" => await IngestLoad.RunAsync(options),
        "reads" => await ReadLoad.RunAsync(options),
        "fill" => await LedgerFill.RunAsync(options),
        "ids" => await ReadLoad.WriteIdsAsync(options),
        "hostile" => await HostileLoad.RunAsync(options),
        _ => Usage(),
    };
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return Usage();
}

static int Usage()
{
    Console.Error.WriteLine("""
        usage: Fraud.LoadTest ingest --url URL [--rate TX/S] [--batch N] [--seconds S] [--accounts N] [--connections N] [--probes-per-second N]
               Fraud.LoadTest reads  --url URL --path by-id|list [--rate REQ/S] [--seconds S]
               Fraud.LoadTest fill   --ledger PATH|CONNECTION [--rows N] [--anomaly-share F] [--rows-per-second R]
               Fraud.LoadTest ids    --url URL --out FILE [--count N]
               Fraud.LoadTest hostile --url URL [--tricklers N] [--declared-bytes B] [--trickle-seconds S] [--threads N] [--batch N] [--seconds S]
        """);
    return 2;
}

namespace Fraud.LoadTest
{
    internal sealed class Options(Dictionary<string, string> values)
    {
        public static Options Parse(string[] args)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < args.Length; i++)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                {
                    throw new ArgumentException($"expected --name value at '{args[i]}'");
                }

                values[args[i][2..]] = args[++i];
            }

            return new Options(values);
        }

        public string String(string name, string? fallback = null) =>
            values.TryGetValue(name, out var value) ? value : fallback ?? throw new ArgumentException($"--{name} is required");

        public double Number(string name, double fallback) =>
            values.TryGetValue(name, out var value) ? double.Parse(value, CultureInfo.InvariantCulture) : fallback;

        public int Int(string name, int fallback) => (int)Number(name, fallback);
    }
}
