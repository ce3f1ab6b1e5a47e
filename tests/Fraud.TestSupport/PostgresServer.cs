using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using Npgsql;
using Testcontainers.PostgreSql;
using Xunit;

namespace Fraud.TestSupport;

/// <summary>
/// A PostgreSQL server for tests, one per test process (<see cref="GetSharedAsync"/>), found in this
/// order: the connection string in <c>FRAUD_TEST_POSTGRES</c>; a Testcontainers container when a
/// Docker engine answers; a throwaway cluster made with the machine's <c>initdb</c>/<c>pg_ctl</c>
/// (newest <c>/usr/lib/postgresql/*/bin</c>, else <c>PATH</c>) on a free loopback port, run as the
/// <c>postgres</c> user when the tests run as root, stopped and deleted when the process exits.
/// With none of the three, it fails with a message saying what to install.
/// Tests take a fresh database each (<see cref="CreateDatabaseAsync"/>, or the
/// <see cref="PostgresDatabase"/> class fixture) so they do not interfere.
/// </summary>
public sealed class PostgresServer
{
    public const string EnvironmentVariable = "FRAUD_TEST_POSTGRES";

    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync);

    private PostgresServer(string connectionString, string source)
    {
        ConnectionString = connectionString;
        Source = source;
    }

    /// <summary>A connection string with rights to create databases (the maintenance database).</summary>
    public string ConnectionString { get; }

    /// <summary>Where the server came from, for messages.</summary>
    public string Source { get; }

    /// <summary>The server of this test process, started on first use.</summary>
    public static Task<PostgresServer> GetSharedAsync() => Shared.Value;

    /// <summary>Creates an empty database with a unique name; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? prefix = null, CancellationToken cancellationToken = default)
    {
        var name = DatabaseName(prefix);
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, closing whatever is still connected to it.</summary>
    public async Task DropDatabaseAsync(string databaseConnectionString, CancellationToken cancellationToken = default)
    {
        var name = new NpgsqlConnectionStringBuilder(databaseConnectionString).Database;
        if (string.IsNullOrEmpty(name))
        {
            return;
        }

        using (var pooled = new NpgsqlConnection(databaseConnectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string DatabaseName(string? prefix)
    {
        var clean = new StringBuilder();
        foreach (var c in (prefix ?? "test").ToLowerInvariant())
        {
            clean.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        var head = clean.Length > 0 ? clean.ToString(0, Math.Min(clean.Length, 30)) : "test";
        return $"{head}_{Guid.NewGuid():N}";
    }

    private static async Task<PostgresServer> StartAsync()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            try
            {
                await WaitUntilAnswersAsync(fromEnvironment, TimeSpan.FromSeconds(15)).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"{EnvironmentVariable} is set, but that PostgreSQL server does not answer: {e.Message}", e);
            }

            return new PostgresServer(fromEnvironment, EnvironmentVariable);
        }

        var notes = new List<string>();
        if (await Docker.AnswersAsync().ConfigureAwait(false))
        {
            try
            {
                return await StartContainerAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                notes.Add($"a Docker engine answers, but the Testcontainers PostgreSQL container did not start ({e.Message})");
            }
        }
        else
        {
            notes.Add("no Docker engine answers");
        }

        if (!OperatingSystem.IsWindows() && LocalCluster.FindBinaries() is { } bin)
        {
            try
            {
                return await LocalCluster.StartAsync(bin).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
            {
                throw new InvalidOperationException(
                    $"Could not start a throwaway PostgreSQL cluster with {bin} ({string.Join("; ", notes)}): {e.Message} "
                    + $"Alternatively set {EnvironmentVariable} to a connection string of a server where the user may CREATE DATABASE, or start a Docker engine.",
                    e);
            }
        }

        notes.Add("no initdb/pg_ctl in /usr/lib/postgresql/*/bin or on PATH");
        throw new InvalidOperationException(
            "The tests need a PostgreSQL server and found none: " + string.Join("; ", notes) + ". Either install the PostgreSQL "
            + "server binaries (Debian/Ubuntu: `apt-get install postgresql`; the tests start their own throwaway cluster), or set "
            + $"{EnvironmentVariable} to a connection string of a server where the user may CREATE DATABASE "
            + "(e.g. Host=127.0.0.1;Port=5432;Username=postgres;Password=…), or start a Docker engine (Testcontainers).");
    }

    private static async Task<PostgresServer> StartContainerAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var container = new PostgreSqlBuilder("postgres:15-alpine").Build();
        try
        {
            await container.StartAsync(timeout.Token).ConfigureAwait(false);
        }
        catch
        {
            await container.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => container.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));
        return new PostgresServer(container.GetConnectionString(), "Testcontainers (postgres:15-alpine)");
    }

    private static async Task WaitUntilAnswersAsync(string connectionString, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync().ConfigureAwait(false);
                return;
            }
            catch (Exception e) when ((e is NpgsqlException or SocketException or TimeoutException) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Checks quickly (a few seconds at most) that a Docker engine answers <c>GET /_ping</c>.</summary>
    private static class Docker
    {
        public static async Task<bool> AnswersAsync()
        {
            var endPoint = EndPoint();
            if (endPoint is null)
            {
                return false;
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            try
            {
                using var socket = endPoint is UnixDomainSocketEndPoint
                    ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                    : new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(endPoint, timeout.Token).ConfigureAwait(false);
                await socket.SendAsync("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"u8.ToArray(), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                var buffer = new byte[512];
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                var answer = Encoding.ASCII.GetString(buffer, 0, read);
                return answer.StartsWith("HTTP/1.", StringComparison.Ordinal) && answer.Contains(" 200 ", StringComparison.Ordinal);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
            {
                return false;
            }
        }

        private static EndPoint? EndPoint()
        {
            var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
            if (!string.IsNullOrWhiteSpace(host))
            {
                if (host.StartsWith("unix://", StringComparison.OrdinalIgnoreCase))
                {
                    return new UnixDomainSocketEndPoint(host["unix://".Length..]);
                }

                if (Uri.TryCreate(host, UriKind.Absolute, out var uri) && uri.Scheme is "tcp" or "http")
                {
                    return new DnsEndPoint(uri.Host, uri.Port > 0 ? uri.Port : 2375);
                }

                return null;
            }

            if (OperatingSystem.IsWindows())
            {
                return null;
            }

            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            string?[] candidates =
            [
                "/var/run/docker.sock",
                Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime ? Path.Combine(runtime, "docker.sock") : null,
                Path.Combine(home, ".docker", "run", "docker.sock"),
                Path.Combine(home, ".docker", "desktop", "docker.sock"),
            ];
            return candidates.FirstOrDefault(File.Exists) is { } socket ? new UnixDomainSocketEndPoint(socket) : null;
        }
    }

    /// <summary>A cluster of the machine's PostgreSQL binaries in a temp folder, for this process only.</summary>
    [UnsupportedOSPlatform("windows")]
    private sealed class LocalCluster
    {
        private const string DirectoryPrefix = "fraud-pg-";
        private const string ServiceUser = "postgres";

        private readonly string _bin;
        private readonly string _root;
        private readonly string? _runAs;
        private int _stopped;

        private LocalCluster(string bin, string root, string? runAs)
        {
            _bin = bin;
            _root = root;
            _runAs = runAs;
        }

        private string Data => Path.Combine(_root, "data");

        /// <summary>The newest <c>/usr/lib/postgresql/*/bin</c> with initdb and pg_ctl, else the first such folder on PATH.</summary>
        public static string? FindBinaries()
        {
            static bool Has(string dir) => Exists(Path.Combine(dir, "initdb")) && Exists(Path.Combine(dir, "pg_ctl"));

            // A symbolic link counts only when what it points to exists.
            static bool Exists(string path)
            {
                var file = new FileInfo(path);
                return file.Exists && (file.LinkTarget is null || file.ResolveLinkTarget(returnFinalTarget: true) is { Exists: true });
            }

            if (Directory.Exists("/usr/lib/postgresql"))
            {
                var newest = Directory.GetDirectories("/usr/lib/postgresql")
                    .Select(d => (Bin: Path.Combine(d, "bin"), Version: ParseVersion(Path.GetFileName(d))))
                    .Where(x => x.Version is not null && Has(x.Bin))
                    .OrderByDescending(x => x.Version)
                    .Select(x => x.Bin)
                    .FirstOrDefault();
                if (newest is not null)
                {
                    return newest;
                }
            }

            return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .FirstOrDefault(Has);
        }

        public static async Task<PostgresServer> StartAsync(string bin)
        {
            // initdb refuses to run as root: the cluster then belongs to the postgres user.
            var runAs = Environment.IsPrivilegedProcess ? ServiceUser : null;
            if (runAs is not null && Run("id", ["-u", runAs], null, Path.GetTempPath(), TimeSpan.FromSeconds(10)).ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"The tests run as root and initdb refuses root, but there is no '{runAs}' user to run it as. "
                    + $"Install the server package (`apt-get install postgresql` creates the user), or set {EnvironmentVariable}.");
            }

            var tempBase = TempBase(runAs is not null);
            SweepStale(bin, tempBase, runAs);
            var root = Path.Combine(tempBase, $"{DirectoryPrefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
            Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var cluster = new LocalCluster(bin, root, runAs);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Stop(detached: true);
            try
            {
                return await Task.Run(cluster.Start).ConfigureAwait(false);
            }
            catch
            {
                cluster.Stop();
                throw;
            }
        }

        private PostgresServer Start()
        {
            if (_runAs is not null)
            {
                Check(Run("chown", [_runAs, _root], null, _root, TimeSpan.FromSeconds(30)), "chown");
            }

            Check(
                Run(Path.Combine(_bin, "initdb"), ["-D", Data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], _runAs, _root, TimeSpan.FromMinutes(3)),
                "initdb");
            File.AppendAllText(Path.Combine(Data, "postgresql.conf"), $"""

                # Throwaway cluster for the tests: loopback only, no durability.
                listen_addresses = '127.0.0.1'
                unix_socket_directories = '{_root}'
                fsync = off
                synchronous_commit = off
                full_page_writes = off
                max_connections = 200
                shared_buffers = 64MB
                max_wal_size = 1GB

                """);

            var log = Path.Combine(_root, "server.log");
            var failures = new StringBuilder();
            for (var attempt = 0; attempt < 5; attempt++)
            {
                var port = LoopbackPort.Free();
                var started = Run(
                    Path.Combine(_bin, "pg_ctl"),
                    ["-D", Data, "-l", log, "-w", "-t", "60", "-o", $"-p {port.ToString(CultureInfo.InvariantCulture)}", "start"],
                    _runAs,
                    _root,
                    TimeSpan.FromSeconds(90));
                if (started.ExitCode == 0)
                {
                    var connectionString = new NpgsqlConnectionStringBuilder
                    {
                        Host = "127.0.0.1",
                        Port = port,
                        Username = "postgres",
                        Database = "postgres",
                        Timeout = 15,
                        CommandTimeout = 120,
                    }.ConnectionString;
                    WaitUntilAnswersAsync(connectionString, TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
                    return new PostgresServer(connectionString, $"throwaway cluster of {_bin} in {_root}");
                }

                // Most likely someone took the port meanwhile: try another one.
                failures.AppendLine(CultureInfo.InvariantCulture, $"port {port}: {started.Output.Trim()} {Tail(log)}");
            }

            throw new InvalidOperationException($"pg_ctl could not start the test cluster in {_root}:{Environment.NewLine}{failures}");
        }

        /// <summary>
        /// Stops the server (immediate mode) and deletes its folder. At process exit this runs in a
        /// detached shell: the test runner may kill the test host before a 50 MB folder is deleted.
        /// </summary>
        public void Stop(bool detached = false)
        {
            if (Interlocked.Exchange(ref _stopped, 1) != 0)
            {
                return;
            }

            var pgCtl = Path.Combine(_bin, "pg_ctl");
            string[] stop = [pgCtl, "-D", Data, "stop", "-m", "immediate", "-w", "-t", "30"];
            try
            {
                if (detached && File.Exists("/bin/sh"))
                {
                    var asUser = _runAs is null ? string.Empty
                        : FindExecutable("runuser") is { } runuser ? $"{ShellQuote(runuser)} -u {ShellQuote(_runAs)} -- "
                        : null;
                    if (asUser is not null)
                    {
                        var stopCommand = File.Exists(Path.Combine(Data, "postmaster.pid")) ? asUser + string.Join(' ', stop.Select(ShellQuote)) + "; " : string.Empty;
                        // The subshell outlives this process (and is no longer its child when the runner kills the tree).
                        Run("/bin/sh", ["-c", $"( {stopCommand}rm -rf {ShellQuote(_root)} ) </dev/null >/dev/null 2>&1 &"], null, "/", TimeSpan.FromSeconds(10));
                        return;
                    }
                }

                if (File.Exists(Path.Combine(Data, "postmaster.pid")))
                {
                    Run(pgCtl, stop[1..], _runAs, _root, TimeSpan.FromSeconds(40));
                }
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or TimeoutException or IOException)
            {
                // Best effort at exit; the next test run sweeps what is left.
            }

            DeleteQuietly(_root);
        }

        /// <summary>Stops and deletes clusters left behind by test processes that no longer run (killed before their exit handler).</summary>
        private static void SweepStale(string bin, string tempBase, string? runAs)
        {
            string[] candidates;
            try
            {
                candidates = Directory.GetDirectories(tempBase, DirectoryPrefix + "*");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return;
            }

            foreach (var dir in candidates)
            {
                var parts = Path.GetFileName(dir)[DirectoryPrefix.Length..].Split('-');
                if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId || IsAlive(pid))
                {
                    continue;
                }

                var stale = new LocalCluster(bin, dir, runAs);
                stale.Stop();
            }
        }

        private static bool IsAlive(int pid)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                return !process.HasExited;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                return false;
            }
        }

        /// <summary>The temp folder; for a cluster owned by another user, one that user can reach.</summary>
        private static string TempBase(bool forAnotherUser)
        {
            var temp = Path.GetTempPath();
            if (!forAnotherUser)
            {
                return temp;
            }

            for (var dir = new DirectoryInfo(temp); dir is not null; dir = dir.Parent)
            {
                if (!File.GetUnixFileMode(dir.FullName).HasFlag(UnixFileMode.OtherExecute))
                {
                    return "/tmp";
                }
            }

            return temp;
        }

        private static string Tail(string path)
        {
            try
            {
                var text = File.ReadAllText(path);
                return text.Length <= 2000 ? text : text[^2000..];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return string.Empty;
            }
        }

        private static void DeleteQuietly(string path)
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left behind; the next sweep tries again.
            }
        }

        private static void Check((int ExitCode, string Output) result, string what)
        {
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"{what} failed (exit code {result.ExitCode}): {result.Output.Trim()}");
            }
        }

        /// <summary>Runs a program (as <paramref name="runAs"/> when given, through runuser or su) and returns its exit code and output.</summary>
        private static (int ExitCode, string Output) Run(string file, IReadOnlyList<string> arguments, string? runAs, string workingDirectory, TimeSpan timeout)
        {
            var start = new ProcessStartInfo
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                // The service user may not be allowed into the test's own working directory.
                WorkingDirectory = workingDirectory,
            };
            if (runAs is null)
            {
                start.FileName = file;
                foreach (var argument in arguments)
                {
                    start.ArgumentList.Add(argument);
                }
            }
            else if (FindExecutable("runuser") is { } runuser)
            {
                start.FileName = runuser;
                foreach (var argument in (string[])["-u", runAs, "--", file, .. arguments])
                {
                    start.ArgumentList.Add(argument);
                }
            }
            else
            {
                start.FileName = FindExecutable("su") ?? "su";
                foreach (var argument in (string[])["-s", "/bin/sh", runAs, "-c", string.Join(' ', new[] { file }.Concat(arguments).Select(ShellQuote))])
                {
                    start.ArgumentList.Add(argument);
                }
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                }

                throw new TimeoutException($"{file} did not finish within {timeout.TotalSeconds:0} s");
            }

            process.WaitForExit();
            Task.WaitAll([output, error], TimeSpan.FromSeconds(10));
            var text = (output.IsCompletedSuccessfully ? output.Result : string.Empty) + (error.IsCompletedSuccessfully ? error.Result : string.Empty);
            return (process.ExitCode, text);
        }

        private static string? FindExecutable(string name) =>
            (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"])
                .Select(dir => Path.Combine(dir, name))
                .FirstOrDefault(File.Exists);

        private static string ShellQuote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

        private static Version? ParseVersion(string name) =>
            Version.TryParse(name.Contains('.', StringComparison.Ordinal) ? name : name + ".0", out var version) ? version : null;
    }
}

/// <summary>
/// xunit class (or collection) fixture: a fresh database on the process's shared
/// <see cref="PostgresServer"/>, dropped when the class is done.
/// </summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    /// <summary>Connection string of this fixture's own database.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        Server = await PostgresServer.GetSharedAsync().ConfigureAwait(false);
        ConnectionString = await Server.CreateDatabaseAsync().ConfigureAwait(false);
    }

    public async Task DisposeAsync()
    {
        if (Server is null || ConnectionString.Length == 0)
        {
            return;
        }

        try
        {
            await Server.DropDatabaseAsync(ConnectionString).ConfigureAwait(false);
        }
        catch (NpgsqlException)
        {
            // The server is going away with the process anyway.
        }
    }
}
