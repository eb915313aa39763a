namespace Coupons.Core.Tests;

/// <summary>Valid defaults for the rules' inputs; a test changes only what it is about with <c>with</c>.</summary>
static class A
{
    /// <summary>Sunday 15 June 2025, noon UTC.</summary>
    public static readonly DateTimeOffset Now = new(2025, 6, 15, 12, 0, 0, TimeSpan.Zero);

    public const long OrgId = 1;
    public const long CustomerId = 100;
    public const long StoreId = 7;
    public const long SeriesId = 10;

    public static Series Series => new()
    {
        Id = SeriesId,
        OrgId = OrgId,
        SeriesCode = "SUMMER25",
        Description = "Summer sale",
        ValidTillDate = new DateTimeOffset(2025, 7, 31, 0, 0, 0, TimeSpan.Zero),
        NumIssued = 5,
        NumRedeemed = 2,
    };

    public static Customer Customer => new() { Id = CustomerId, OrgId = OrgId, FirstName = "Asha", LastName = "Rao", Mobile = "919800000001" };

    public static Coupon Coupon => new()
    {
        Id = 1000,
        OrgId = OrgId,
        SeriesId = SeriesId,
        Code = "ABCD2345",
        CustomerId = CustomerId,
        IssuedOn = Now.AddDays(-2),
        ValidTill = Now.AddDays(10),
        PinCode = "PIN42",
    };

    public static Organisation Organisation => new(OrgId, "Acme", "UTC", TransactionNumberRequired: false, RateLimitPerMinute: 600);

    public static Caller Caller => CallerIn(Organisation);

    public static Caller CallerIn(Organisation org) =>
        new(new Till(5, OrgId, StoreId, "till-5", Roles.Till), new Store(StoreId, OrgId, "S7", "High Street"), org);

    public static RedeemRequest Request => new() { Code = "ABCD2345", TransactionNumber = "T-1", BillAmount = 500m };

    public static RedeemFacts Redeem => new()
    {
        Request = Request,
        Customer = Customer,
        Coupon = Coupon,
        Series = Series,
        Caller = Caller,
        Now = Now,
    };

    public static IssueFacts Issue => new() { Series = Series, Customer = Customer, Now = Now };
}
