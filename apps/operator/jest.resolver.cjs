/**
 * Jest resolver of the operator project: some kubernetes-models packages (kubernetes-models, @kubernetes-models/base,
 * @kubernetes-models/apimachinery, @kubernetes-models/validate 5) publish ESM only, behind an `exports` map with just
 * the "import" condition, which Jest's CommonJS resolution does not match. For requests of those packages that the
 * default resolution cannot serve, this retries with the "import" condition (jest.config.cjs then compiles the ESM
 * files to CommonJS). Everything else resolves exactly as by default.
 */
module.exports = (request, options) => {
  try {
    return options.defaultResolver(request, options);
  } catch (err) {
    if (!/^(kubernetes-models|@kubernetes-models\/)/.test(request)) throw err;
    return options.defaultResolver(request, { ...options, conditions: [...(options.conditions ?? ['require', 'default']), 'import'] });
  }
};
