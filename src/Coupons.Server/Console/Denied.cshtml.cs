namespace Coupons.Server.WebConsole;

public sealed class DeniedModel : ConsolePage
{
    public void OnGet() { }
}
