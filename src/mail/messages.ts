// The texts of the mails the service sends, in the six languages; each is sent in the recipient's.
// Pure: (language, values) → subject and text.
import type { Language } from '../questionnaires/schema.js'

type Values = Record<string, string>
type Template = { subject: string; text: string }

const TEMPLATES: Record<'invitation' | 'locked' | 'reset', Record<Language, Template>> = {
  reset: {
    en: {
      subject: 'Reset your password',
      text: 'Dear {name},\n\nSomebody asked to reset the password of your treaty readiness account. To choose a new password, open this link: {link}\n\nThe link works once and expires on {expires}. If you did not ask for this, ignore this message: your password stays as it is.',
    },
    fr: {
      subject: 'Réinitialisation de votre mot de passe',
      text: 'Madame, Monsieur {name},\n\nUne réinitialisation du mot de passe de votre compte a été demandée. Pour choisir un nouveau mot de passe, ouvrez ce lien : {link}\n\nLe lien ne peut être utilisé qu’une fois et expire le {expires}. Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.',
    },
    es: {
      subject: 'Restablecimiento de su contraseña',
      text: 'Estimado/a {name}:\n\nSe ha solicitado restablecer la contraseña de su cuenta. Para elegir una nueva contraseña, abra este enlace: {link}\n\nEl enlace solo puede utilizarse una vez y caduca el {expires}. Si no lo ha solicitado usted, ignore este mensaje: su contraseña no cambia.',
    },
    ru: {
      subject: 'Сброс пароля',
      text: 'Уважаемый(ая) {name}!\n\nПоступил запрос на сброс пароля вашей учётной записи. Чтобы задать новый пароль, откройте эту ссылку: {link}\n\nСсылка действует один раз и истекает {expires}. Если вы не отправляли этот запрос, проигнорируйте сообщение: ваш пароль останется прежним.',
    },
    zh: {
      subject: '重置您的密码',
      text: '尊敬的{name}：\n\n有人请求重置您账户的密码。如需设置新密码，请打开以下链接：{link}\n\n该链接仅可使用一次，将于{expires}失效。如果这不是您本人的请求，请忽略此邮件：您的密码保持不变。',
    },
    ar: {
      subject: 'إعادة تعيين كلمة المرور',
      text: 'السيد/السيدة {name}،\n\nطُلبت إعادة تعيين كلمة المرور لحسابكم. لاختيار كلمة مرور جديدة، افتحوا هذا الرابط: {link}\n\nلا يصلح الرابط إلا لمرة واحدة وتنتهي صلاحيته في {expires}. إذا لم تطلبوا ذلك، تجاهلوا هذه الرسالة: تبقى كلمة المرور دون تغيير.',
    },
  },
  invitation: {
    en: {
      subject: 'Your invitation to treaty readiness',
      text: 'Dear {name},\n\n{inviter} has invited you to the treaty readiness self-assessment of the International Telecommunication Union.\n\nOpen this link to set your password and start: {link}\n\nThe link works once and expires on {expires}. If you did not expect this message, you may ignore it.',
    },
    fr: {
      subject: 'Votre invitation à l’auto-évaluation de l’état de préparation aux traités',
      text: 'Madame, Monsieur {name},\n\n{inviter} vous a invité(e) à l’auto-évaluation de l’état de préparation aux traités de l’Union internationale des télécommunications.\n\nOuvrez ce lien pour définir votre mot de passe et commencer : {link}\n\nLe lien ne peut être utilisé qu’une fois et expire le {expires}. Si vous n’attendiez pas ce message, vous pouvez l’ignorer.',
    },
    es: {
      subject: 'Su invitación a la autoevaluación de preparación para los tratados',
      text: 'Estimado/a {name}:\n\n{inviter} le ha invitado a la autoevaluación de preparación para los tratados de la Unión Internacional de Telecomunicaciones.\n\nAbra este enlace para establecer su contraseña y empezar: {link}\n\nEl enlace solo puede utilizarse una vez y caduca el {expires}. Si no esperaba este mensaje, puede ignorarlo.',
    },
    ru: {
      subject: 'Приглашение к самооценке готовности к договорам',
      text: 'Уважаемый(ая) {name}!\n\n{inviter} приглашает вас принять участие в самооценке готовности к договорам Международного союза электросвязи.\n\nОткройте эту ссылку, чтобы задать пароль и начать работу: {link}\n\nСсылка действует один раз и истекает {expires}. Если вы не ожидали этого сообщения, просто проигнорируйте его.',
    },
    zh: {
      subject: '条约准备情况自我评估邀请',
      text: '尊敬的{name}：\n\n{inviter}邀请您参加国际电信联盟的条约准备情况自我评估。\n\n请打开以下链接设置密码并开始：{link}\n\n该链接仅可使用一次，将于{expires}失效。如果您并未期待此邮件，请忽略。',
    },
    ar: {
      subject: 'دعوتكم إلى التقييم الذاتي للجاهزية للمعاهدات',
      text: 'السيد/السيدة {name}،\n\nدعاكم {inviter} إلى المشاركة في التقييم الذاتي للجاهزية للمعاهدات التابع للاتحاد الدولي للاتصالات.\n\nافتحوا هذا الرابط لتعيين كلمة المرور والبدء: {link}\n\nلا يصلح الرابط إلا لمرة واحدة وتنتهي صلاحيته في {expires}. إذا لم تكونوا تتوقعون هذه الرسالة، يمكنكم تجاهلها.',
    },
  },
  locked: {
    en: {
      subject: 'Sign-in to your account paused',
      text: 'Dear {name},\n\nThere were {count} failed attempts to sign in to your account. Signing in with a password is paused until {until}. If this was not you, tell your administrator.',
    },
    fr: {
      subject: 'Connexion à votre compte suspendue',
      text: 'Madame, Monsieur {name},\n\n{count} tentatives de connexion à votre compte ont échoué. La connexion par mot de passe est suspendue jusqu’au {until}. Si ce n’était pas vous, prévenez votre administrateur.',
    },
    es: {
      subject: 'Inicio de sesión en su cuenta suspendido',
      text: 'Estimado/a {name}:\n\nSe han producido {count} intentos fallidos de iniciar sesión en su cuenta. El inicio de sesión con contraseña queda suspendido hasta el {until}. Si no fue usted, informe a su administrador.',
    },
    ru: {
      subject: 'Вход в вашу учётную запись приостановлен',
      text: 'Уважаемый(ая) {name}!\n\nЗафиксировано неудачных попыток входа в вашу учётную запись: {count}. Вход по паролю приостановлен до {until}. Если это были не вы, сообщите администратору.',
    },
    zh: {
      subject: '您的账户登录已暂停',
      text: '尊敬的{name}：\n\n您的账户出现了{count}次登录失败。使用密码登录已暂停，直至{until}。如果这不是您本人所为，请告知您的管理员。',
    },
    ar: {
      subject: 'تم إيقاف تسجيل الدخول إلى حسابكم مؤقتاً',
      text: 'السيد/السيدة {name}،\n\nسُجلت {count} محاولات فاشلة لتسجيل الدخول إلى حسابكم. تم إيقاف تسجيل الدخول بكلمة المرور حتى {until}. إذا لم تكونوا أنتم، يرجى إبلاغ المسؤول.',
    },
  },
}

export type MailKind = keyof typeof TEMPLATES

export const MAIL_KINDS = Object.keys(TEMPLATES) as MailKind[]

export function placeholdersOf(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort()
}

/** The mail of a kind in a language, with its placeholders filled; dates in the language's format. */
export function renderMail(kind: MailKind, language: Language, values: Values): Template {
  const template = TEMPLATES[kind][language]
  const fill = (s: string) => s.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? `{${name}}`)
  return { subject: fill(template.subject), text: fill(template.text) }
}

export function templatesOf(kind: MailKind): Record<Language, Template> {
  return TEMPLATES[kind]
}

/** A date as a person reading that language writes it (UTC: the links' expiry is a moment, not a local day). */
export function formatDate(date: Date, language: Language): string {
  return new Intl.DateTimeFormat(language, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(date) + ' UTC'
}
