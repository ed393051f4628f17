"""The accounts domain's pages: sign-in and password links, home, admin of people and teams."""
