using Coupons.Server.Notifications;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Coupons.Server.Operations;

/// <summary>
/// The configuration is checked before anything starts: a setting that cannot work stops the process with a message
/// naming it and a non-zero exit code, before it listens on any port, so a load balancer never sees a half-started node.
/// </summary>
public static class StartupChecks
{
    /// <summary>Exit code of a configuration that cannot work.</summary>
    public const int BadConfiguration = 2;
    /// <summary>Exit code of a database that could not be reached or migrated at start.</summary>
    public const int DatabaseUnavailable = 3;

    /// <summary>Every problem found, each naming its key; empty when the configuration can work.</summary>
    public static IReadOnlyList<string> Problems(IConfiguration config)
    {
        var problems = new List<string>();
        var provider = (config["Coupons:Database:Provider"] ?? "sqlite").Trim().ToLowerInvariant();
        var cs = config["Coupons:Database:ConnectionString"];
        switch (provider)
        {
            case "sqlite":
                if (!string.IsNullOrWhiteSpace(cs)) Parse(() => new SqliteConnectionStringBuilder(cs), problems);
                break;
            case "postgres" or "postgresql":
                if (string.IsNullOrWhiteSpace(cs)) problems.Add("Coupons:Database:ConnectionString is required when Coupons:Database:Provider is postgres");
                else Parse(() => new NpgsqlConnectionStringBuilder(cs), problems);
                break;
            default:
                problems.Add($"Coupons:Database:Provider must be 'sqlite' or 'postgres', not '{config["Coupons:Database:Provider"]}'");
                break;
        }
        try
        {
            NotificationOptions.From(config);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            problems.Add(e.Message.StartsWith("Coupons:Notifications", StringComparison.Ordinal) ? e.Message : $"Coupons:Notifications: {e.Message}");
        }
        if (Logs.Problem(config) is { } logs) problems.Add(logs);
        problems.AddRange(Telemetry.Problems(config));
        problems.AddRange(Shutdown.Problems(config));
        return problems;
    }

    /// <summary>The connection string is named, never quoted: it may hold a password.</summary>
    static void Parse(Func<object> parse, List<string> problems)
    {
        try
        {
            parse();
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            problems.Add($"Coupons:Database:ConnectionString is malformed: {e.Message}");
        }
    }

    /// <summary>Writes the problems to standard error and returns the exit code.</summary>
    public static int Refuse(IReadOnlyList<string> problems, int exitCode = BadConfiguration)
    {
        Console.Error.WriteLine("Coupons: not started, the configuration cannot work:");
        foreach (var p in problems) Console.Error.WriteLine($"  - {p}");
        return exitCode;
    }
}
