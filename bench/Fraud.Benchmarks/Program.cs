using System.Globalization;
using BenchmarkDotNet.Running;
using Fraud.Benchmarks;

// handbook-data OUT.csv [seed]  → the independent yardstick dataset (see HandbookDataset)
// handbook-ceiling FILE.csv TRAIN-FROM TEST-FROM TEST-TO [SCORES.csv]
//                                → how far the protocol's figures can go on it, beside a backtest's scores
// profile-memory [accounts] [tx] → bytes per account profile
// anything else                  → BenchmarkDotNet (e.g. --filter '*Scoring*')
switch (args)
{
    case ["handbook-data", var path, .. var rest]:
        HandbookDataset.Write(path, seed: rest.Length > 0 ? int.Parse(rest[0], CultureInfo.InvariantCulture) : 0);
        break;
    case ["handbook-ceiling", var path, var trainFrom, var testFrom, var testTo, .. var rest]:
        HandbookCeilingCommand.Run(path, trainFrom, testFrom, testTo, scoresPath: rest.Length > 0 ? rest[0] : null);
        break;
    case ["profile-memory", .. var rest]:
        ProfileMemory.Run(
            rest.Length > 0 ? int.Parse(rest[0], CultureInfo.InvariantCulture) : 1_000_000,
            rest.Length > 1 ? int.Parse(rest[1], CultureInfo.InvariantCulture) : 5);
        break;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        break;
}
