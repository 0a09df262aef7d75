export * from './contact-bait/contact-scanner';
