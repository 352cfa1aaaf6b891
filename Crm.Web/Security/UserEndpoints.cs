using System.Security.Claims;
using Crm.Customers;
using Crm.Security;
using Crm.Web.Api;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Crm.Web.Security;

/// <summary>Admins manage the users of their own tenant.</summary>
public static class UserEndpoints
{
    public static RouteGroupBuilder MapUsersApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/users").WithTags("Users").RequireAuthorization(Policies.Admin);
        group.MapPost("/", CreateUser);
        group.MapGet("/", ListUsers);
        group.MapGet("/{id:guid}", GetUser);
        group.MapDelete("/{id:guid}", DisableUser);
        return group;
    }

    public sealed record CreateUserRequest(string? Email, string? DisplayName, string? Password, List<string?>? Roles);

    public sealed record UserList(IReadOnlyList<UserResponse> Items);

    private static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult>> CreateUser(
        CreateUserRequest? request, ClaimsPrincipal caller, UserRegistration registration, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var emailText = errors.Text("email", request?.Email, EmailAddresses.MaxLength, required: true);
        string? email = null;
        if (emailText is not null && !EmailAddresses.TryNormalize(emailText, out email))
        {
            errors.Add("email", "Not a valid email address.");
        }

        var displayName = errors.Text("displayName", request?.DisplayName, 200, required: true);
        var password = request?.Password;
        if (password is null || password.Length < Passwords.MinimumLength || password.Length > 1024)
        {
            errors.Add("password", $"Between {Passwords.MinimumLength} and 1024 characters.");
        }

        var roles = request?.Roles ?? [];
        if (roles.Count == 0)
        {
            errors.Add("roles", $"At least one of: {string.Join(", ", Roles.All)}.");
        }

        for (var i = 0; i < roles.Count; i++)
        {
            if (roles[i] is not { } role || !Roles.All.Contains(role))
            {
                errors.Add($"roles[{i}]", $"'{roles[i]}' is not one of: {string.Join(", ", Roles.All)}.");
            }
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var user = await registration.TryRegisterAsync(caller.TenantId(), email!, displayName!, password!, roles!, cancellationToken);
        return user is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "A user with this email exists already.")
            : TypedResults.Created($"/api/users/{user.Id}", UserResponse.From(user));
    }

    private static async Task<Ok<UserList>> ListUsers(ClaimsPrincipal caller, IAccountStore accounts, CancellationToken cancellationToken)
    {
        var users = await accounts.ListUsersAsync(caller.TenantId(), cancellationToken);
        return TypedResults.Ok(new UserList(users.Select(UserResponse.From).ToList()));
    }

    private static async Task<Results<Ok<UserResponse>, NotFound>> GetUser(Guid id, ClaimsPrincipal caller, IAccountStore accounts, CancellationToken cancellationToken) =>
        await accounts.FindUserAsync(caller.TenantId(), id, cancellationToken) is { } user
            ? TypedResults.Ok(UserResponse.From(user))
            : TypedResults.NotFound();

    /// <summary>Users are disabled, never deleted: their name stays on the interactions they recorded.</summary>
    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DisableUser(
        Guid id, ClaimsPrincipal caller, IAccountStore accounts, Revocations revocations, TimeProvider time, CancellationToken cancellationToken)
    {
        if (caller.ToActor().Id == id.ToString())
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "You cannot disable your own account.");
        }

        if (!await accounts.DisableUserAsync(caller.TenantId(), id, time.GetUtcNow(), cancellationToken))
        {
            return TypedResults.NotFound();
        }

        await revocations.RevokeAsync(new Revocation(RevocationKind.User, caller.TenantId(), id));
        return TypedResults.NoContent();
    }
}
