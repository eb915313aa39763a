namespace Coupons.Core;

/// <param name="CurrencyDecimals">The currency's minor unit in decimal places (0-4): discounts are rounded to it.</param>
public sealed record Organisation(long Id, string Name, string TimeZone, bool TransactionNumberRequired, int RateLimitPerMinute,
    int CurrencyDecimals = Discounts.DefaultCurrencyDecimals)
{
    /// <summary>ISO 3166 country (GB, IN, …) of mobiles typed without a country code; null: digits are read as international.</summary>
    public string? DefaultCountry { get; init; }
}

public sealed record Store(long Id, long OrgId, string Code, string Name);

public static class Roles
{
    public const string Admin = "admin";
    public const string Till = "till";
    public static bool IsValid(string? role) => role is Admin or Till;
}

/// <summary>An API login. Every call acts as a till: issuedAt and a redemption's store come from it.</summary>
public sealed record Till(long Id, long OrgId, long StoreId, string Code, string Role)
{
    public bool IsAdmin => Role == Roles.Admin;
}

/// <summary>A till as authenticated for one request, with what its calls need to know of its store and organisation.</summary>
public sealed record Caller(Till Till, Store Store, Organisation Org)
{
    public long OrgId => Org.Id;
}
