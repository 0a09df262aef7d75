export * from './contact-bait/contact-scanner';
export * from './detectors/seller-signals';
export * from './detectors/seller-rules';
export * from './seller-detectors.options';
export * from './seller-detectors';
