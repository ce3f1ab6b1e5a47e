using System.Globalization;
using System.Text;

namespace Fraud.Benchmarks;

/// <summary>
/// An independent yardstick: a re-implementation of the transaction generator published with
/// "Reproducible Machine Learning for Credit Card Fraud Detection – Practical Handbook"
/// (Le Borgne, Siblini, Lebichot, Bontempi, 2022), whose baseline protocol (7 train days, 7 delay
/// days, 7 test days) the published GBT figures come from. Same distributions and fraud scenarios;
/// not the same random stream (numpy's), so figures are comparable, not identical.
/// Only the four required fields, the terminal (merchant) and the labels are written.
/// </summary>
internal static class HandbookDataset
{
    private sealed record Customer(int Id, double X, double Y, double MeanAmount, double StdAmount, double MeanTxPerDay, int[] Terminals);

    private struct Row
    {
        public long Seconds;
        public int Day;
        public int Customer;
        public int Terminal;
        public double Amount;
        public byte Scenario;
    }

    public static int Write(string path, int customers = 5000, int terminals = 10000, int days = 183, double radius = 5, int seed = 0)
    {
        // Customers: uniform place on a 100×100 grid, mean amount U(5, 100), std = mean/2, U(0, 4) transactions a day.
        var terminalXy = new (double X, double Y)[terminals];
        var customerList = new Customer[customers];
        var profileRandom = new Random(seed);
        var customerXy = new (double X, double Y, double Mean, double Rate)[customers];
        for (var c = 0; c < customers; c++)
        {
            var x = profileRandom.NextDouble() * 100;
            var y = profileRandom.NextDouble() * 100;
            var mean = 5 + profileRandom.NextDouble() * 95;
            customerXy[c] = (x, y, mean, profileRandom.NextDouble() * 4);
        }

        var terminalRandom = new Random(seed + 1);
        for (var t = 0; t < terminals; t++)
        {
            terminalXy[t] = (terminalRandom.NextDouble() * 100, terminalRandom.NextDouble() * 100);
        }

        for (var c = 0; c < customers; c++)
        {
            var (x, y, mean, rate) = customerXy[c];
            var near = new List<int>();
            for (var t = 0; t < terminals; t++)
            {
                var dx = x - terminalXy[t].X;
                var dy = y - terminalXy[t].Y;
                if (Math.Sqrt(dx * dx + dy * dy) < radius)
                {
                    near.Add(t);
                }
            }

            customerList[c] = new Customer(c, x, y, mean, mean / 2, rate, [.. near]);
        }

        // Transactions: Poisson count per day, time ~ N(noon, 20000 s) kept inside the day,
        // amount ~ N(mean, mean/2) (redrawn uniformly in [0, 2·mean] when negative), a random terminal in reach.
        var rows = new List<Row>(customers * days * 2);
        foreach (var customer in customerList)
        {
            var r = new Random(customer.Id + seed * 7919);
            for (var day = 0; day < days; day++)
            {
                var count = Poisson(r, customer.MeanTxPerDay);
                for (var k = 0; k < count; k++)
                {
                    var time = (int)Normal(r, 86400 / 2.0, 20000);
                    if (time <= 0 || time >= 86400)
                    {
                        continue;
                    }

                    var amount = Normal(r, customer.MeanAmount, customer.StdAmount);
                    if (amount < 0)
                    {
                        amount = r.NextDouble() * customer.MeanAmount * 2;
                    }

                    amount = Math.Round(amount, 2);
                    if (customer.Terminals.Length > 0)
                    {
                        var terminal = customer.Terminals[r.Next(customer.Terminals.Length)];
                        rows.Add(new Row { Seconds = time + day * 86400L, Day = day, Customer = customer.Id, Terminal = terminal, Amount = amount });
                    }
                }
            }
        }

        rows.Sort((a, b) => a.Seconds != b.Seconds ? a.Seconds.CompareTo(b.Seconds) : a.Customer.CompareTo(b.Customer));
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rows);

        // Scenario 1: every amount above 220 is a fraud.
        for (var i = 0; i < span.Length; i++)
        {
            if (span[i].Amount > 220)
            {
                span[i].Scenario = 1;
            }
        }

        var maxDay = days - 1;
        var byTerminal = new Dictionary<int, List<int>>();
        var byCustomer = new Dictionary<int, List<int>>();
        for (var i = 0; i < span.Length; i++)
        {
            Add(byTerminal, span[i].Terminal, i);
            Add(byCustomer, span[i].Customer, i);
        }

        // Scenario 2: each day two terminals are compromised; all their transactions of the next 28 days are frauds.
        for (var day = 0; day < maxDay; day++)
        {
            var dayRandom = new Random(day);
            for (var k = 0; k < 2; k++)
            {
                var terminal = dayRandom.Next(terminals);
                if (!byTerminal.TryGetValue(terminal, out var list))
                {
                    continue;
                }

                foreach (var i in list)
                {
                    if (span[i].Day >= day && span[i].Day < day + 28)
                    {
                        span[i].Scenario = 2;
                    }
                }
            }
        }

        // Scenario 3: each day three customers are compromised; a third of their transactions of the next
        // 14 days are frauds with five times the amount.
        for (var day = 0; day < maxDay; day++)
        {
            var dayRandom = new Random(day + 100_000);
            var compromised = new List<int>();
            for (var k = 0; k < 3; k++)
            {
                var customer = dayRandom.Next(customers);
                if (byCustomer.TryGetValue(customer, out var list))
                {
                    foreach (var i in list)
                    {
                        if (span[i].Day >= day && span[i].Day < day + 14)
                        {
                            compromised.Add(i);
                        }
                    }
                }
            }

            var pick = compromised.Count / 3;
            for (var n = 0; n < pick; n++)
            {
                var j = n + dayRandom.Next(compromised.Count - n);
                (compromised[n], compromised[j]) = (compromised[j], compromised[n]);
                var i = compromised[n];
                span[i].Amount = Math.Round(span[i].Amount * 5, 2);
                span[i].Scenario = 3;
            }
        }

        var start = new DateTime(2018, 4, 1, 0, 0, 0, DateTimeKind.Utc);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        writer.WriteLine("TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_TIME_SECONDS,TX_TIME_DAYS,TX_FRAUD,TX_FRAUD_SCENARIO");
        var frauds = 0;
        for (var i = 0; i < span.Length; i++)
        {
            ref var row = ref span[i];
            var fraud = row.Scenario > 0 ? 1 : 0;
            frauds += fraud;
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"{i},{start.AddSeconds(row.Seconds):yyyy-MM-dd HH:mm:ss},{row.Customer},{row.Terminal},{row.Amount:0.##},{row.Seconds},{row.Day},{fraud},{row.Scenario}\n"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {span.Length:N0} transactions, {frauds:N0} frauds ({frauds / (double)span.Length:P2}) to {path}"));
        return span.Length;
    }

    private static void Add(Dictionary<int, List<int>> index, int key, int value)
    {
        if (!index.TryGetValue(key, out var list))
        {
            index[key] = list = [];
        }

        list.Add(value);
    }

    private static int Poisson(Random r, double lambda)
    {
        var limit = Math.Exp(-lambda);
        var k = 0;
        var p = r.NextDouble();
        while (p > limit)
        {
            k++;
            p *= r.NextDouble();
        }

        return k;
    }

    private static double Normal(Random r, double mean, double std)
    {
        var u1 = 1.0 - r.NextDouble();
        var u2 = r.NextDouble();
        return mean + std * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
