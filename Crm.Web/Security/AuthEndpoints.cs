using System.Security.Claims;
using Crm.Customers;
using Crm.Security;
using Crm.Web.Api;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Crm.Web.Security;

public static class AuthEndpoints
{
    public const string SignInRateLimit = "sign-in";

    public static RouteGroupBuilder MapAuthApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/auth").WithTags("Auth");
        group.MapPost("/token", IssueToken).AllowAnonymous().RequireRateLimiting(SignInRateLimit);
        group.MapGet("/me", Me).RequireAuthorization(Policies.Agent);
        return group;
    }

    public sealed record TokenRequest(string? Username, string? Password);

    public sealed record TokenResponse(string AccessToken, string TokenType, DateTimeOffset ExpiresAt, UserResponse User);

    private static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> IssueToken(
        TokenRequest? request, IAccountStore accounts, Passwords passwords, AccessTokens tokens, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var username = errors.Text("username", request?.Username, EmailAddresses.MaxLength, required: true);
        var password = errors.Text("password", request?.Password, 1024, required: true);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var user = EmailAddresses.TryNormalize(username, out var email) ? await accounts.FindUserByEmailAsync(email, cancellationToken) : null;
        if (!passwords.Verify(user, password!) || user!.IsDisabled)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Wrong user name or password.");
        }

        var (token, expiresAt) = tokens.Issue(user);
        return TypedResults.Ok(new TokenResponse(token, "Bearer", expiresAt, UserResponse.From(user)));
    }

    private static Ok<MeResponse> Me(ClaimsPrincipal user) => TypedResults.Ok(new MeResponse(
        user.FindFirstValue(CrmClaims.UserId)!,
        user.FindFirstValue(CrmClaims.Email),
        user.FindFirstValue(CrmClaims.Name),
        user.TenantId(),
        user.FindAll(CrmClaims.Role).Select(c => c.Value).ToArray()));

    public sealed record MeResponse(string Id, string? Email, string? DisplayName, string Tenant, string[] Roles);
}
