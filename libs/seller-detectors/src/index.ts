export * from './contact-bait/contact-scanner';
export * from './detectors/signal-builder';
export * from './detectors/seller-rules';
export * from './seller-detectors.options';
export * from './seller-detectors.service';
export * from './seller-detectors.module';
