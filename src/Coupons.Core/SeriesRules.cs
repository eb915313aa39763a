namespace Coupons.Core;

public static class SeriesRules
{
    /// <summary>Validation of a series as an admin saves it: 753, 754, 756, 744 with a detail.</summary>
    public static Outcome Validate(Series series) => throw new NotImplementedException();
}
