namespace Coupons.Guarantees;

/// <summary>How hard each check pushes. <see cref="Full"/> is the issue's figures; <see cref="Short"/> runs in the test suite.</summary>
public sealed record Scale
{
    public required string Name { get; init; }
    public required int Clients { get; init; }
    // Concurrency
    public required int IssueAttempts { get; init; }
    public required int MaxCreate { get; init; }
    public required int LimitCustomers { get; init; }
    public required int LimitAttempts { get; init; }
    public required int SingleUseCoupons { get; init; }
    public required int RedeemAttempts { get; init; }
    public required int MixedCoupons { get; init; }
    public required int MixedOperations { get; init; }
    public required int RacePairs { get; init; }
    // Crash safety
    public required int Crashes { get; init; }
    public required int CrashClients { get; init; }
    // Hostile input
    public required int HostileRequests { get; init; }
    public required int HugeBodies { get; init; }

    public static readonly Scale Full = new()
    {
        Name = "full",
        Clients = 64,
        IssueAttempts = 10_000,
        MaxCreate = 1_000,
        LimitCustomers = 50,
        LimitAttempts = 3_000,
        SingleUseCoupons = 1_000,
        RedeemAttempts = 10_000,
        MixedCoupons = 600,
        MixedOperations = 3_000,
        RacePairs = 500,
        Crashes = 4,
        CrashClients = 32,
        HostileRequests = 12_000,
        HugeBodies = 24,
    };

    public static readonly Scale Short = new()
    {
        Name = "short",
        Clients = 16,
        IssueAttempts = 500,
        MaxCreate = 100,
        LimitCustomers = 10,
        LimitAttempts = 150,
        SingleUseCoupons = 60,
        RedeemAttempts = 300,
        MixedCoupons = 60,
        MixedOperations = 240,
        RacePairs = 40,
        Crashes = 1,
        CrashClients = 8,
        HostileRequests = 1_200,
        HugeBodies = 4,
    };
}
