# The main job: the demand analysis on the bundled example data.
# (Until the report template lands: enumerate latent class models on
# simulated social care factors and print the fit table.)
library(cscdemand)
d <- simulate_lca(n = 15000, seed = 2020)
en <- lca_enumerate(d, k = 1:6, starts = 20, seed = 1)
print(en)
best <- en$fits[[which.min(en$table$BIC)]]
print(summary(best))
