namespace Coupons.Core;

/// <summary>
/// What refuses a customer before any coupon is looked at, for issual (<see cref="IssueRules"/>) and redemption
/// (<see cref="RedeemRules"/>) alike: marked fraud 740, confirmed fraud 750, coupons blocked 742, in that order.
/// </summary>
public static class CustomerRules
{
    public static Outcome? Refusal(Customer customer) => customer switch
    {
        { FraudStatus: FraudStatus.Marked } => Status.FraudCustomer,
        { FraudStatus: FraudStatus.Confirmed } => Status.ConfirmedFraud,
        { CouponsBlocked: true } => Status.CustomerBlocked,
        _ => null,
    };
}
