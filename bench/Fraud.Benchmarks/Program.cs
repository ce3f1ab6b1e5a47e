using BenchmarkDotNet.Running;
using Fraud.Benchmarks;

// `handbook-data OUT.csv [days]` writes the independent yardstick dataset; anything else runs BenchmarkDotNet.
if (args is ["handbook-data", var path, ..])
{
    HandbookDataset.Write(path, days: args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 183);
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
